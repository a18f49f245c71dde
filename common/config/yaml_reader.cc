#include "common/config/yaml_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/strings.h"

namespace vitals::config {

void ConfigErrors::Add(std::string_view path, std::string_view message) {
  errors_.push_back(absl::StrCat(AsAbsl(path), ": ", AsAbsl(message)));
}

absl::Status ConfigErrors::ToStatus() const {
  if (errors_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors_, "\n"));
}

YamlMap::YamlMap(YAML::Node node, std::string path, ConfigErrors* errors)
    : node_(node), path_(std::move(path)), errors_(errors) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    errors_->Add(path_.empty() ? "<root>" : path_, "expected a mapping");
    node_ = YAML::Node();
  }
}

std::string YamlMap::KeyPath(std::string_view key) const {
  if (key.empty()) return path_.empty() ? "<root>" : path_;
  return path_.empty() ? std::string(key) : absl::StrCat(path_, ".", AsAbsl(key));
}

void YamlMap::Error(std::string_view key, std::string_view message) const {
  errors_->Add(KeyPath(key), message);
}

bool YamlMap::Has(std::string_view key) const {
  if (!node_.IsMap()) return false;
  const YAML::Node value = node_[std::string(key)];
  return value.IsDefined() && !value.IsNull();
}

YAML::Node YamlMap::Take(std::string_view key) {
  read_.emplace_back(key);
  if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  YAML::Node value = node_[std::string(key)];
  if (!value.IsDefined() || value.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
  return value;
}

namespace {

template <typename T>
bool Convert(const YAML::Node& node, T* out) {
  if (!node.IsScalar()) return false;
  try {
    *out = node.as<T>();
    return true;
  } catch (const YAML::Exception&) {
    return false;
  }
}

}  // namespace

bool YamlMap::Get(std::string_view key, std::string* out) {
  YAML::Node v = Take(key);
  if (!v.IsDefined()) return true;
  if (Convert(v, out)) return true;
  Error(key, "expected a string");
  return false;
}

bool YamlMap::Get(std::string_view key, bool* out) {
  YAML::Node v = Take(key);
  if (!v.IsDefined()) return true;
  if (Convert(v, out)) return true;
  Error(key, "expected true or false");
  return false;
}

bool YamlMap::Get(std::string_view key, int64_t* out) {
  YAML::Node v = Take(key);
  if (!v.IsDefined()) return true;
  if (Convert(v, out)) return true;
  Error(key, "expected an integer");
  return false;
}

bool YamlMap::Get(std::string_view key, uint32_t* out) {
  YAML::Node v = Take(key);
  if (!v.IsDefined()) return true;
  int64_t wide = 0;
  if (!Convert(v, &wide) || wide < 0 || wide > UINT32_MAX) {
    Error(key, "expected a non-negative integer");
    return false;
  }
  *out = static_cast<uint32_t>(wide);
  return true;
}

bool YamlMap::Get(std::string_view key, double* out) {
  YAML::Node v = Take(key);
  if (!v.IsDefined()) return true;
  if (Convert(v, out)) return true;
  Error(key, "expected a number");
  return false;
}

bool YamlMap::Get(std::string_view key, absl::Duration* out) {
  YAML::Node v = Take(key);
  if (!v.IsDefined()) return true;
  std::string text;
  absl::Duration d;
  if (!Convert(v, &text) || !absl::ParseDuration(text, &d) || d < absl::ZeroDuration()) {
    Error(key, "expected a duration such as 10s, 500ms or 5m");
    return false;
  }
  *out = d;
  return true;
}

bool YamlMap::Get(std::string_view key, std::vector<std::string>* out) {
  YAML::Node v = Take(key);
  if (!v.IsDefined()) return true;
  if (!v.IsSequence()) {
    Error(key, "expected a list of strings");
    return false;
  }
  std::vector<std::string> items;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string item;
    if (!Convert(v[i], &item)) {
      Error(absl::StrCat(AsAbsl(key), "[", i, "]"), "expected a string");
      return false;
    }
    items.push_back(std::move(item));
  }
  *out = std::move(items);
  return true;
}

bool YamlMap::Get(std::string_view key, std::map<std::string, std::string>* out) {
  YAML::Node v = Take(key);
  if (!v.IsDefined()) return true;
  if (!v.IsMap()) {
    Error(key, "expected a mapping of strings");
    return false;
  }
  std::map<std::string, std::string> items;
  for (const auto& kv : v) {
    std::string k;
    std::string value;
    if (!Convert(kv.first, &k) || !Convert(kv.second, &value)) {
      Error(key, "expected a mapping of strings");
      return false;
    }
    items[k] = value;
  }
  *out = std::move(items);
  return true;
}

YamlMap YamlMap::Child(std::string_view key) { return YamlMap(Take(key), KeyPath(key), errors_); }

std::vector<YamlMap> YamlMap::List(std::string_view key) {
  YAML::Node v = Take(key);
  std::vector<YamlMap> items;
  if (!v.IsDefined()) return items;
  if (!v.IsSequence()) {
    Error(key, "expected a list");
    return items;
  }
  for (size_t i = 0; i < v.size(); ++i) {
    items.emplace_back(v[i], absl::StrCat(KeyPath(key), "[", i, "]"), errors_);
  }
  return items;
}

void YamlMap::RejectUnknownKeys() {
  if (!node_.IsMap()) return;
  for (const auto& kv : node_) {
    std::string key = kv.first.Scalar();
    if (std::find(read_.begin(), read_.end(), key) == read_.end()) {
      Error(key, "unknown key");
    }
  }
}

absl::Status LoadYamlFile(const std::string& file, YAML::Node* out) {
  std::ifstream in(file);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open config file ", file));
  try {
    *out = YAML::Load(in);
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
  return absl::OkStatus();
}

namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

std::string IndexPath(const std::string& path, size_t index) {
  return absl::StrCat(path.empty() ? "<root>" : path, "[", index, "]");
}

std::string KeyPathOf(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", AsAbsl(key));
}

// A secret is a password or a key, not a data set: a larger file is more
// likely a wrong path (or /dev/zero) than a credential.
constexpr size_t kMaxSecretFileBytes = 1 << 20;

}  // namespace

absl::Status ExpandEnv(std::string_view text, EnvLookup lookup, std::string* out) {
  std::string result;
  size_t i = 0;
  while (i < text.size()) {
    const size_t dollar = text.find('$', i);
    if (dollar == std::string_view::npos) {
      result.append(text.substr(i));
      break;
    }
    result.append(text.substr(i, dollar - i));
    const std::string_view rest = text.substr(dollar);
    if (rest.starts_with("$${")) {
      result.append("${");
      i = dollar + 3;
      continue;
    }
    if (!rest.starts_with("${")) {
      result.push_back('$');
      i = dollar + 1;
      continue;
    }
    const size_t close = rest.find('}');
    // The reference itself is not quoted back: with a typo, it may be the
    // secret's own text.
    const absl::Status bad = absl::InvalidArgumentError(
        "bad variable reference: expected ${NAME} or ${NAME:-default} (write $${ for a literal "
        "${)");
    if (close == std::string_view::npos) return bad;
    const std::string_view inside = rest.substr(2, close - 2);
    const size_t colon = inside.find(":-");
    const std::string name(inside.substr(0, colon));
    if (name.empty() || !IsNameStart(name[0]) ||
        !std::all_of(name.begin(), name.end(), IsNameChar)) {
      return bad;
    }
    const char* value = lookup(name.c_str());
    if (colon != std::string_view::npos) {
      result.append(value != nullptr && *value != '\0' ? std::string_view(value)
                                                       : inside.substr(colon + 2));
    } else if (value != nullptr) {
      result.append(value);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("environment variable ", name, " is not set"));
    }
    i = dollar + close + 1;
  }
  *out = std::move(result);
  return absl::OkStatus();
}

void ExpandEnvInValues(YAML::Node node, const std::string& path, ConfigErrors* errors,
                       EnvLookup lookup) {
  if (node.IsScalar()) {
    // Scalars without `$` are left alone, keeping their tag and style.
    if (node.Scalar().find('$') == std::string::npos) return;
    std::string expanded;
    if (absl::Status s = ExpandEnv(node.Scalar(), lookup, &expanded); !s.ok()) {
      errors->Add(path.empty() ? "<root>" : path, std::string(s.message()));
      return;
    }
    node = expanded;
  } else if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      ExpandEnvInValues(node[i], IndexPath(path, i), errors, lookup);
    }
  } else if (node.IsMap()) {
    for (auto kv : node) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      ExpandEnvInValues(kv.second, KeyPathOf(path, key), errors, lookup);
    }
  }
}

absl::Status ReadSecretFile(const std::string& file, const std::string& base_dir,
                            std::string* out) {
  if (file.empty()) return absl::InvalidArgumentError("must name a file");
  std::string full = file;
  if (file[0] != '/' && !base_dir.empty()) {
    full = absl::StrCat(base_dir, base_dir.ends_with('/') ? "" : "/", file);
  }
  const auto fail = [&full](int error) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", full, ": ", std::strerror(error)));
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(full.c_str(), "rb"), std::fclose);
  if (in == nullptr) return fail(errno);
  std::string content(kMaxSecretFileBytes + 1, '\0');
  const size_t n = std::fread(content.data(), 1, content.size(), in.get());
  if (std::ferror(in.get())) return fail(errno);
  if (n > kMaxSecretFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", full, ": larger than ", kMaxSecretFileBytes, " bytes"));
  }
  content.resize(n);
  if (absl::EndsWith(content, "\n")) content.pop_back();
  if (absl::EndsWith(content, "\r")) content.pop_back();
  *out = std::move(content);
  return absl::OkStatus();
}

std::vector<std::string> ResolveFileKeys(YAML::Node node, const std::string& path,
                                         const std::string& base_dir, ConfigErrors* errors) {
  std::vector<std::string> values;
  if (!node.IsMap()) return values;
  constexpr std::string_view kSuffix = "_file";
  std::vector<std::string> file_keys;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) continue;
    const std::string& key = kv.first.Scalar();
    if (key.size() > kSuffix.size() && key.ends_with(kSuffix)) file_keys.push_back(key);
  }
  for (const std::string& file_key : file_keys) {
    const std::string key = file_key.substr(0, file_key.size() - kSuffix.size());
    const std::string key_path = KeyPathOf(path, file_key);
    const YAML::Node file = node[file_key];
    node.remove(file_key);
    // Looked up through a const view: a non-const operator[] would add the key.
    const YAML::Node view = node;
    if (const YAML::Node plain = view[key]; plain.IsDefined() && !plain.IsNull()) {
      errors->Add(key_path, absl::StrCat("set either ", key, " or ", file_key, ", not both"));
      continue;
    }
    if (!file.IsScalar()) {
      errors->Add(key_path, "expected a file name");
      continue;
    }
    std::string value;
    if (absl::Status s = ReadSecretFile(file.Scalar(), base_dir, &value); !s.ok()) {
      errors->Add(key_path, std::string(s.message()));
      continue;
    }
    node[key] = value;
    values.push_back(std::move(value));
  }
  return values;
}

}  // namespace vitals::config
