#include "test/unit/sim/prom_text_checker.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"

namespace vitals::sim::testing {
namespace {

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

bool IsMetricName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

// Java's Double.toString spellings as the Prometheus client writes them.
bool ParseValue(std::string_view text, double* value) {
  if (text == "NaN") {
    *value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (text == "+Inf" || text == "-Inf") {
    *value = text[0] == '+' ? INFINITY : -INFINITY;
    return true;
  }
  // Always a '.', digits on both sides; optional E exponent.
  size_t i = 0;
  if (i < text.size() && text[i] == '-') ++i;
  size_t int_start = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == int_start || i >= text.size() || text[i] != '.') return false;
  ++i;
  size_t frac_start = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == frac_start) return false;
  if (i < text.size()) {
    if (text[i] != 'E') return false;
    ++i;
    if (i < text.size() && text[i] == '-') ++i;
    size_t exp_start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == exp_start || i != text.size()) return false;
  }
  std::string copy(text);
  *value = std::strtod(copy.c_str(), nullptr);
  return true;
}

absl::Status LineError(int line, std::string_view why, std::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat("line ", line, ": ", AsAbsl(why), ": ", AsAbsl(text.substr(0, 200))));
}

}  // namespace

std::string PromSample::Label(std::string_view name) const {
  for (const auto& [key, value] : labels) {
    if (key == name) return value;
  }
  return "";
}

absl::StatusOr<std::vector<PromFamily>> CheckPromText(std::string_view text) {
  std::vector<PromFamily> families;
  std::set<std::string, std::less<>> seen;
  if (!text.empty() && text.back() != '\n') {
    return absl::InvalidArgumentError("text does not end in a newline");
  }
  int line_number = 0;
  bool expect_type = false;
  // Series (name and label set) of the current family: a collector holds
  // one child per label set, so a family never repeats one.
  std::set<std::string, std::less<>> series;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (line.rfind("# HELP ", 0) == 0) {
      if (expect_type) return LineError(line_number, "HELP without TYPE before it", line);
      std::string_view rest = line.substr(7);
      size_t space = rest.find(' ');
      if (space == std::string_view::npos) return LineError(line_number, "HELP without text", line);
      std::string name(rest.substr(0, space));
      if (!IsMetricName(name)) return LineError(line_number, "bad family name", line);
      if (!seen.insert(name).second) return LineError(line_number, "family repeated", line);
      PromFamily& family = families.emplace_back();
      series.clear();
      family.name = name;
      family.help = std::string(rest.substr(space + 1));
      expect_type = true;
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      if (!expect_type) return LineError(line_number, "TYPE not right after HELP", line);
      std::string_view rest = line.substr(7);
      PromFamily& family = families.back();
      if (rest.substr(0, family.name.size()) != family.name ||
          rest.size() <= family.name.size() + 1 || rest[family.name.size()] != ' ') {
        return LineError(line_number, "TYPE names another family", line);
      }
      family.type = std::string(rest.substr(family.name.size() + 1));
      if (family.type != "gauge" && family.type != "summary") {
        return LineError(line_number, "type is neither gauge nor summary", line);
      }
      expect_type = false;
      continue;
    }
    if (line.empty() || line[0] == '#') return LineError(line_number, "unexpected line", line);
    if (families.empty() || expect_type) {
      return LineError(line_number, "sample before HELP/TYPE", line);
    }
    PromFamily& family = families.back();
    PromSample sample;
    size_t brace = line.find('{');
    if (brace == std::string_view::npos) return LineError(line_number, "no label set", line);
    sample.name = std::string(line.substr(0, brace));
    const bool is_count = family.type == "summary" && sample.name == family.name + "_count";
    if (sample.name != family.name && !is_count) {
      return LineError(line_number, "sample of another family", line);
    }
    size_t i = brace + 1;
    std::set<std::string> label_names;
    while (i < line.size() && line[i] != '}') {
      size_t eq = line.find("=\"", i);
      if (eq == std::string_view::npos) return LineError(line_number, "bad label", line);
      std::string name(line.substr(i, eq - i));
      if (!IsMetricName(name) || name.find(':') != std::string::npos) {
        return LineError(line_number, "bad label name", line);
      }
      if (!label_names.insert(name).second) {
        return LineError(line_number, "label repeated", line);
      }
      i = eq + 2;
      std::string value;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\') {
          if (i + 1 >= line.size()) return LineError(line_number, "bad escape", line);
          char next = line[i + 1];
          if (next == 'n') {
            value.push_back('\n');
          } else if (next == '\\' || next == '"') {
            value.push_back(next);
          } else {
            return LineError(line_number, "bad escape", line);
          }
          i += 2;
          continue;
        }
        value.push_back(line[i++]);
      }
      if (i + 1 >= line.size() || line[i + 1] != ',') {
        return LineError(line_number, "label without the trailing comma", line);
      }
      i += 2;
      sample.labels.emplace_back(std::move(name), std::move(value));
    }
    if (i >= line.size() || line[i] != '}') return LineError(line_number, "unclosed labels", line);
    if (i + 1 >= line.size() || line[i + 1] != ' ') {
      return LineError(line_number, "no space before the value", line);
    }
    sample.value_text = std::string(line.substr(i + 2));
    if (sample.value_text.find(' ') != std::string::npos) {
      return LineError(line_number, "timestamp or trailing text", line);
    }
    if (!ParseValue(sample.value_text, &sample.value)) {
      return LineError(line_number, "value is not a Java double", line);
    }
    const bool has_quantile = label_names.count("quantile") > 0;
    if (family.type == "summary" && !is_count &&
        (!has_quantile || sample.labels.back().first != "quantile")) {
      return LineError(line_number, "summary sample without a last quantile label", line);
    }
    if (!series.insert(std::string(line.substr(0, i + 1))).second) {
      return LineError(line_number, "series repeated", line);
    }
    family.samples.push_back(std::move(sample));
  }
  if (expect_type) return absl::InvalidArgumentError("last HELP has no TYPE");
  return families;
}

}  // namespace vitals::sim::testing
