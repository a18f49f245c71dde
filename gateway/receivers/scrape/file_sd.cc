#include "gateway/receivers/scrape/file_sd.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/cluster_name.h"
#include "common/base/strings.h"
#include "yaml-cpp/yaml.h"

namespace vitals::gateway {
namespace {

enum class Syntax { kJson, kYaml };

bool ValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && (i == 0 || c < '0' || c > '9')) return false;
  }
  return true;
}

// `host:port` or `[v6]:port`, with a port in 1..65535 and nothing that
// belongs in a URL (scheme, path) around it.
bool ParseAddress(std::string_view address, std::string* host, uint16_t* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view h = address.substr(0, colon);
  const std::string_view p = address.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || end != p.data() + p.size() || value == 0 || value > 65535) return false;
  if (h.front() == '[') {
    if (h.size() < 3 || h.back() != ']') return false;
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string_view::npos) {
    return false;  // an unbracketed IPv6 address or a scheme
  }
  for (char c : h) {
    if (c == '/' || c == '@' || c == '?' || c == '#' || c <= ' ') return false;
  }
  *host = std::string(h);
  *port = static_cast<uint16_t>(value);
  return true;
}

// Reads the entries of one file; errors are `[i].key: message` relative to
// the file.
class GroupReader {
 public:
  GroupReader(Syntax syntax, std::string_view file, const FileSdDefaults& defaults)
      : syntax_(syntax), file_(file), defaults_(defaults) {}

  absl::Status Read(const YAML::Node& root, std::vector<TargetGroup>* out) {
    if (!root.IsSequence()) return Error("", "expected a list of target groups");
    for (size_t i = 0; i < root.size(); ++i) {
      TargetGroup group;
      if (absl::Status s = ReadGroup(root[i], absl::StrCat("[", i, "]"), &group); !s.ok()) {
        return s;
      }
      out->push_back(std::move(group));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Error(std::string_view path, std::string_view message) const {
    return absl::InvalidArgumentError(
        path.empty() ? absl::StrCat(AsAbsl(file_), ": ", AsAbsl(message))
                     : absl::StrCat(AsAbsl(file_), ": ", AsAbsl(path), ": ", AsAbsl(message)));
  }

  static bool Scalar(const YAML::Node& node, std::string* out) {
    if (!node.IsScalar()) return false;
    *out = node.Scalar();
    return true;
  }

  absl::Status ReadDuration(const std::string& text, std::string_view path,
                            absl::Duration* out) const {
    absl::Duration d;
    if (!absl::ParseDuration(text, &d) || d <= absl::ZeroDuration()) {
      return Error(path,
                   absl::StrCat("\"", text, "\": expected a positive duration such as 15s or 1m"));
    }
    *out = d;
    return absl::OkStatus();
  }

  absl::Status ReadGroup(const YAML::Node& node, const std::string& path, TargetGroup* group) {
    if (!node.IsMap()) return Error(path, "expected a mapping with targets and labels");
    group->origin = absl::StrCat(AsAbsl(file_), ": ", path);
    YAML::Node targets;
    YAML::Node labels;
    for (const auto& kv : node) {
      std::string key;
      if (!Scalar(kv.first, &key)) return Error(path, "keys must be strings");
      if (key == "targets") {
        targets = kv.second;
      } else if (key == "labels") {
        labels = kv.second;
      } else if (syntax_ == Syntax::kYaml) {
        // Prometheus reads YAML strictly and ignores unknown JSON fields;
        // the same files must work here.
        return Error(absl::StrCat(path, ".", key), "unknown key (expected targets, labels)");
      }
    }

    std::map<std::string, std::string> label_map;
    if (labels.IsDefined() && !labels.IsNull()) {
      if (!labels.IsMap()) return Error(path + ".labels", "expected a mapping of strings");
      for (const auto& kv : labels) {
        std::string name;
        std::string value;
        if (!Scalar(kv.first, &name)) return Error(path + ".labels", "keys must be strings");
        const std::string label_path = absl::StrCat(path, ".labels.", name);
        if (!ValidLabelName(name)) {
          return Error(label_path, "not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)");
        }
        if (!Scalar(kv.second, &value)) return Error(label_path, "expected a string");
        label_map[name] = std::move(value);
      }
    }

    ScrapeTarget base;
    base.origin = group->origin;
    base.interval = defaults_.interval;
    base.timeout = defaults_.timeout;
    bool explicit_timeout = false;
    for (const auto& [name, value] : label_map) {
      const std::string label_path = absl::StrCat(path, ".labels.", name);
      if (name == "__scheme__") {
        if (value == "https") {
          base.error = absl::UnimplementedError(
              absl::StrCat(base.origin, ": scheme https is not supported, only http"));
        } else if (value != "http") {
          return Error(label_path, absl::StrCat("\"", value, "\": expected http"));
        }
        base.scheme = value;
      } else if (name == "__metrics_path__") {
        if (value.empty() || value[0] != '/' ||
            std::any_of(value.begin(), value.end(), [](char c) { return c <= ' '; })) {
          return Error(label_path,
                       absl::StrCat("\"", value, "\": expected a path such as /metrics"));
        }
        base.metrics_path = value;
      } else if (name == "__scrape_interval__") {
        if (absl::Status s = ReadDuration(value, label_path, &base.interval); !s.ok()) return s;
      } else if (name == "__scrape_timeout__") {
        if (absl::Status s = ReadDuration(value, label_path, &base.timeout); !s.ok()) return s;
        explicit_timeout = true;
      } else if (name.starts_with("__")) {
        continue;  // other meta-labels (`__param_*`, …) mean nothing here
      } else {
        // `cluster` names the cluster of the targets' samples: a cluster
        // name, as a pushed one must be (common/base/cluster_name.h).
        if (name == "cluster") {
          if (const std::string_view problem = ClusterNameProblem(value); !problem.empty()) {
            return Error(label_path, absl::StrCat("\"", absl::CHexEscape(value.substr(0, 64)),
                                                  "\": ", AsAbsl(problem)));
          }
        }
        base.labels.emplace_back(name, value);
      }
    }
    if (base.timeout > base.interval) {
      if (explicit_timeout) {
        return Error(path + ".labels.__scrape_timeout__",
                     absl::StrCat(absl::FormatDuration(base.timeout), " exceeds the interval ",
                                  absl::FormatDuration(base.interval)));
      }
      // A group that only shortens the interval gets the default timeout
      // cut down to it rather than an error.
      base.timeout = base.interval;
    }

    if (!targets.IsDefined() || targets.IsNull()) return absl::OkStatus();
    if (!targets.IsSequence()) return Error(path + ".targets", "expected a list of host:port");
    for (size_t t = 0; t < targets.size(); ++t) {
      const std::string target_path = absl::StrCat(path, ".targets[", t, "]");
      std::string address;
      if (!Scalar(targets[t], &address)) return Error(target_path, "expected a host:port string");
      ScrapeTarget target = base;
      if (!ParseAddress(address, &target.host, &target.port)) {
        return Error(target_path, absl::StrCat("\"", address,
                                               "\": expected host:port (the scheme goes in "
                                               "__scheme__, the path in __metrics_path__)"));
      }
      target.address = std::move(address);
      group->targets.push_back(std::move(target));
    }
    return absl::OkStatus();
  }

  Syntax syntax_;
  std::string_view file_;
  const FileSdDefaults& defaults_;
};

}  // namespace

absl::StatusOr<std::vector<TargetGroup>> ParseFileSd(std::string_view file, std::string_view text,
                                                     const FileSdDefaults& defaults) {
  Syntax syntax;
  if (absl::EndsWith(AsAbsl(file), ".json")) {
    syntax = Syntax::kJson;
  } else if (absl::EndsWith(AsAbsl(file), ".yml") || absl::EndsWith(AsAbsl(file), ".yaml")) {
    syntax = Syntax::kYaml;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(AsAbsl(file), ": unsupported extension (expected .json, .yml or .yaml)"));
  }
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; })) {
    return absl::InvalidArgumentError(
        absl::StrCat(AsAbsl(file), ": empty file (write [] for no targets)"));
  }
  // YAML is a superset of JSON, so yaml-cpp reads both; only the strictness
  // about unknown keys differs.
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(AsAbsl(file), ": line ", e.mark.line + 1,
                                                   ", column ", e.mark.column + 1, ": ", e.msg));
  }
  std::vector<TargetGroup> groups;
  try {
    GroupReader reader(syntax, file, defaults);
    if (absl::Status s = reader.Read(root, &groups); !s.ok()) return s;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(AsAbsl(file), ": ", e.what()));
  }
  return groups;
}

absl::StatusOr<std::vector<TargetGroup>> ReadFileSd(const std::string& file,
                                                    const FileSdDefaults& defaults) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const int err = errno;
    const std::string message = absl::StrCat(file, ": ", std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(message) : absl::UnavailableError(message);
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::UnavailableError(absl::StrCat(file, ": read failed"));
  return ParseFileSd(file, text.str(), defaults);
}

}  // namespace vitals::gateway
