#include "test/integration/pushgateway_compat/pushgateway_groups.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace vitals::testing {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// `1.0`, `1`, `1e0` → one spelling; NaN and infinities by name.
std::string Number(const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) return "unparsable:" + text;
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%.17g", v);
  return buffer;
}

std::map<std::string, std::string> Strings(const Struct& s) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : s.fields()) out[k] = v.string_value();
  return out;
}

std::string Series(std::string_view name, std::map<std::string, std::string> labels,
                   std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (!extra_name.empty()) labels[std::string(extra_name)] = std::string(extra_value);
  std::string out = absl::StrCat(AsAbsl(name), "{");
  bool first = true;
  for (const auto& [k, v] : labels) {
    absl::StrAppend(&out, first ? "" : ",", k, "=\"", v, "\"");
    first = false;
  }
  return out + "}";
}

std::string Show(const std::map<std::string, std::string>& m) { return Series("", m); }

}  // namespace

absl::StatusOr<PushGroupsView> ParsePushGroups(std::string_view json) {
  Struct root;
  const auto parsed = google::protobuf::util::JsonStringToMessage(std::string(json), &root);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("not JSON: ", parsed.ToString()));
  }
  if (root.fields().at("status").string_value() != "success") {
    return absl::InvalidArgumentError("status is not success");
  }
  PushGroupsView out;
  for (const Value& g : root.fields().at("data").list_value().values()) {
    const Struct& group = g.struct_value();
    const std::string key = Show(Strings(group.fields().at("labels").struct_value()));
    if (out.count(key)) return absl::InvalidArgumentError("group listed twice: " + key);
    PushGroupView& view = out[key];
    for (const auto& [family, f] : group.fields()) {
      if (family == "labels" || family == "last_push_successful" || family == "push_time_seconds" ||
          family == "push_failure_time_seconds") {
        continue;
      }
      const Struct& fs = f.struct_value();
      view.family_types[family] = fs.fields().at("type").string_value();
      for (const Value& m : fs.fields().at("metrics").list_value().values()) {
        const Struct& metric = m.struct_value();
        const auto labels = Strings(metric.fields().at("labels").struct_value());
        const auto& fields = metric.fields();
        auto put = [&](std::string series, const std::string& value) {
          if (!view.samples.emplace(series, Number(value)).second) {
            view.samples[series] += " (listed twice)";
          }
        };
        if (fields.count("value")) {
          put(Series(family, labels), fields.at("value").string_value());
          continue;
        }
        const bool histogram = fields.count("buckets") > 0;
        const auto& bounds = fields.at(histogram ? "buckets" : "quantiles").struct_value().fields();
        for (const auto& [bound, value] : bounds) {
          put(histogram ? Series(family + "_bucket", labels, "le", Number(bound))
                        : Series(family, labels, "quantile", Number(bound)),
              value.string_value());
        }
        put(Series(family + "_count", labels), fields.at("count").string_value());
        put(Series(family + "_sum", labels), fields.at("sum").string_value());
      }
    }
  }
  return out;
}

PushGroupView WithoutCounterSuffixes(const PushGroupView& group) {
  PushGroupView out;
  for (const auto& [series, value] : group.samples) {
    const size_t brace = series.find('{');
    std::string name = series.substr(0, brace);
    if (absl::EndsWith(name, "_total")) name.resize(name.size() - 6);
    out.samples[name + series.substr(brace)] = value;
  }
  return out;
}

std::string DiffPushGroups(const PushGroupsView& expected, const PushGroupsView& actual,
                           size_t max_lines) {
  std::vector<std::string> lines;
  for (const auto& [key, group] : expected) {
    auto it = actual.find(key);
    if (it == actual.end()) {
      lines.push_back("missing group " + key);
      continue;
    }
    for (const auto& [family, type] : group.family_types) {
      auto t = it->second.family_types.find(family);
      if (t == it->second.family_types.end()) {
        lines.push_back(absl::StrCat(key, ": missing family ", family));
      } else if (t->second != type) {
        lines.push_back(absl::StrCat(key, ": family ", family, " is ", t->second, ", want ", type));
      }
    }
    for (const auto& [family, type] : it->second.family_types) {
      if (!group.family_types.count(family)) {
        lines.push_back(absl::StrCat(key, ": extra family ", family));
      }
    }
    for (const auto& [series, value] : group.samples) {
      auto s = it->second.samples.find(series);
      if (s == it->second.samples.end()) {
        lines.push_back(absl::StrCat(key, ": missing ", series, " ", value));
      } else if (s->second != value) {
        lines.push_back(absl::StrCat(key, ": ", series, " = ", s->second, ", want ", value));
      }
    }
    for (const auto& [series, value] : it->second.samples) {
      if (!group.samples.count(series)) {
        lines.push_back(absl::StrCat(key, ": extra ", series, " ", value));
      }
    }
  }
  for (const auto& [key, group] : actual) {
    if (!expected.count(key)) lines.push_back("extra group " + key);
  }
  std::string out;
  for (size_t i = 0; i < lines.size() && i < max_lines; ++i) absl::StrAppend(&out, lines[i], "\n");
  if (lines.size() > max_lines)
    absl::StrAppend(&out, "… and ", lines.size() - max_lines, " more\n");
  return out;
}

}  // namespace vitals::testing
