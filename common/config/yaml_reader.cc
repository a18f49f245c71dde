#include "common/config/yaml_reader.h"

#include <algorithm>
#include <fstream>

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

}  // namespace vitals::config
