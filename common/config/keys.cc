#include "common/config/keys.h"

#include "absl/strings/str_join.h"
#include "common/base/strings.h"

namespace vitals::config {

std::string RenderValue(bool v) { return v ? "true" : "false"; }
std::string RenderValue(int64_t v) { return absl::StrCat(v); }
std::string RenderValue(double v) { return absl::StrCat(v); }
std::string RenderValue(absl::Duration v) { return absl::FormatDuration(v); }
std::string RenderValue(const std::string& v) { return v.empty() ? "\"\"" : v; }

std::string RenderValue(const std::vector<std::string>& v) {
  return absl::StrCat("[", absl::StrJoin(v, ", "), "]");
}

std::string RenderValue(const std::map<std::string, std::string>& v) {
  return absl::StrCat("{", absl::StrJoin(v, ", ", absl::PairFormatter(": ")), "}");
}

Keys::Keys(YamlMap& map)
    : mode_(Mode::kRead), map_(&map), path_(map.path()), errors_(map.errors()) {}

Keys::Keys(std::string path, ConfigErrors* errors)
    : mode_(Mode::kCheck), path_(std::move(path)), errors_(errors) {}

Keys::Keys(std::string path, std::vector<KeyInfo>* out)
    : mode_(Mode::kList), path_(std::move(path)), out_(out) {}

std::string Keys::PathOf(std::string_view key) const {
  if (key.empty()) return path_;
  if (path_.empty()) return std::string(key);
  return absl::StrCat(path_, ".", AsAbsl(key));
}

void Keys::Error(std::string_view key, std::string_view message) {
  if (mode_ == Mode::kList) return;
  const std::string path = PathOf(key);
  errors_->Add(path.empty() ? "<root>" : path, message);
}

bool Keys::Absent(std::string_view key) const { return mode_ == Mode::kRead && !map_->Has(key); }

int Keys::AddInfo(std::string_view key, std::string default_value, std::string_view description) {
  if (mode_ != Mode::kList) return -1;
  out_->push_back({PathOf(key), std::move(default_value), std::string(description)});
  return static_cast<int>(out_->size()) - 1;
}

void Keys::AddRule(int info, std::string_view rule) {
  if (info < 0) return;
  std::string& description = (*out_)[static_cast<size_t>(info)].description;
  absl::StrAppend(&description, description.empty() ? "" : "; ", AsAbsl(rule));
}

Field<bool> Keys::Key(std::string_view key, bool* field, std::string_view description) {
  const bool bad = reading() && !map_->Get(key, field);
  return Field<bool>(this, std::string(key), *field, bad,
                     AddInfo(key, RenderValue(*field), description));
}

Field<double> Keys::Key(std::string_view key, double* field, std::string_view description) {
  const bool bad = reading() && !map_->Get(key, field);
  return Field<double>(this, std::string(key), *field, bad,
                       AddInfo(key, RenderValue(*field), description));
}

Field<absl::Duration> Keys::Key(std::string_view key, absl::Duration* field,
                                std::string_view description) {
  const bool bad = reading() && !map_->Get(key, field);
  return Field<absl::Duration>(this, std::string(key), *field, bad,
                               AddInfo(key, RenderValue(*field), description));
}

Field<std::string> Keys::Key(std::string_view key, std::string* field,
                             std::string_view description) {
  const bool bad = reading() && !map_->Get(key, field);
  return Field<std::string>(this, std::string(key), *field, bad,
                            AddInfo(key, RenderValue(*field), description));
}

Field<std::string> Keys::Key(std::string_view key, char* field, std::string_view description) {
  std::string text(1, *field);
  const bool bad = reading() && !map_->Get(key, &text);
  // An empty string keeps the field and is refused by NonEmpty().
  if (!bad && !text.empty()) *field = text[0];
  return Field<std::string>(this, std::string(key), text, bad,
                            AddInfo(key, RenderValue(std::string(1, *field)), description));
}

Field<std::vector<std::string>> Keys::Key(std::string_view key, std::vector<std::string>* field,
                                          std::string_view description) {
  const bool bad = reading() && !map_->Get(key, field);
  return Field<std::vector<std::string>>(this, std::string(key), *field, bad,
                                         AddInfo(key, RenderValue(*field), description));
}

Field<std::map<std::string, std::string>> Keys::Key(std::string_view key,
                                                    std::map<std::string, std::string>* field,
                                                    std::string_view description) {
  const bool bad = reading() && !map_->Get(key, field);
  return Field<std::map<std::string, std::string>>(this, std::string(key), *field, bad,
                                                   AddInfo(key, RenderValue(*field), description));
}

Field<absl::Duration> Keys::Millis(std::string_view key, int64_t* field_ms,
                                   std::string_view description) {
  absl::Duration d = absl::Milliseconds(*field_ms);
  const bool bad = reading() && !map_->Get(key, &d);
  std::string unfit;
  if (!bad && d != absl::Milliseconds(absl::ToInt64Milliseconds(d))) {
    unfit = "must be whole milliseconds";
  } else if (!bad) {
    *field_ms = absl::ToInt64Milliseconds(d);
  }
  return Field<absl::Duration>(
      this, std::string(key), d, bad,
      AddInfo(key, RenderValue(absl::Milliseconds(*field_ms)), description), std::move(unfit));
}

void Keys::Section(std::string_view key, absl::FunctionRef<void(Keys&)> declare) {
  switch (mode_) {
    case Mode::kRead: {
      YamlMap child = map_->Child(key);
      Keys keys(child);
      declare(keys);
      child.RejectUnknownKeys();
      return;
    }
    case Mode::kCheck: {
      Keys keys(PathOf(key), errors_);
      declare(keys);
      return;
    }
    case Mode::kList: {
      Keys keys(PathOf(key), out_);
      declare(keys);
      return;
    }
  }
}

void Keys::ListItems(std::string_view key, absl::FunctionRef<void(Keys&)> declare_default) {
  Keys keys(absl::StrCat(PathOf(key), "[]"), out_);
  declare_default(keys);
}

}  // namespace vitals::config
