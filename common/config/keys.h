#pragma once

// Declarative config keys. A config section declares each of its keys once,
// in one function, binding the key's name to the struct field, its
// constraints and a one-line description:
//
//   void DeclareScrapeKeys(config::Keys& k, ScrapeOptions& o) {
//     k.Key("interval", &o.interval, "default scrape interval").Min(absl::Milliseconds(100));
//     k.Key("timeout", &o.timeout, "default scrape timeout").Min(absl::Milliseconds(10));
//     if (o.timeout > o.interval) k.Error("timeout", "must not exceed scrape.interval");
//   }
//
// That one function serves three passes: Read() fills the struct from YAML
// (unknown keys and type errors named by their full path) and checks it;
// Check() runs the same checks on a struct built in code; List() names
// every key with its default. The struct's member initializers stay the
// only source of defaults: reading starts from the struct as it is, and
// listing renders a value-initialized one. Rules that span keys are plain
// code after the keys they read, reporting through Error() with the key.

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/config/yaml_reader.h"

namespace vitals::config {

struct KeyInfo {
  // Full path; list items as `scorer.scoring.user_defined[].name`.
  std::string path;
  // As it would be written in YAML: `10s`, `[a, b]`, `""`.
  std::string default_value;
  // The declared description, then the constraints.
  std::string description;
};

// Renders a value as YAML would show it.
std::string RenderValue(bool v);
std::string RenderValue(int64_t v);
std::string RenderValue(double v);
std::string RenderValue(absl::Duration v);
std::string RenderValue(const std::string& v);
std::string RenderValue(const std::vector<std::string>& v);
std::string RenderValue(const std::map<std::string, std::string>& v);

class Keys;

// One declared key, as returned by Keys::Key; its constraints chain:
// `k.Key("threads", &o.threads, "…").Range(1, 64)`. `T` is the value as YAML
// writes it (every integer is int64_t). Each constraint checks the value at
// once (reading or checking) or records its wording (listing); after the
// first failure of a key its later constraints stay quiet.
template <typename T>
class Field {
 public:
  // `unfit`: why a value read wider than its field was not stored; reported
  // at the end unless a constraint refused the value first.
  Field(Keys* keys, std::string key, T value, bool bad, int info, std::string unfit = {});
  ~Field();
  Field(const Field&) = delete;
  Field& operator=(const Field&) = delete;

  // Reading only: the mapping must name the key.
  Field& Required();
  Field& Min(const T& lo);
  Field& Max(const T& hi);
  Field& Range(const T& lo, const T& hi);
  // > 0.
  Field& Positive();
  Field& NonNegative();
  // Strings, lists and maps.
  Field& NonEmpty();
  // Strings: one of `names`.
  Field& OneOf(std::initializer_list<std::string_view> names);
  // Lists of strings: no empty item, none twice.
  Field& UniqueItems();
  // A rule of the key's own: `check` returns bool (false: `rule` is the
  // error) or absl::Status (its message is the error).
  template <typename F>
  Field& Check(std::string_view rule, F check);

 private:
  // Reports `message` unless the key already failed; in listing, records
  // it as a constraint of the key.
  void Require(bool ok, std::string_view message);

  Keys* keys_;
  std::string key_;
  T value_;
  bool bad_;
  int info_;  // index into the key list when listing, else -1
  std::string unfit_;
};

class Keys {
 public:
  // Reading: keys come from `map`, errors go to map.errors().
  explicit Keys(YamlMap& map);
  // Checking: errors go to `errors` under `path`.
  Keys(std::string path, ConfigErrors* errors);
  // Listing: every key is appended to `out` under `path`.
  Keys(std::string path, std::vector<KeyInfo>* out);

  Field<bool> Key(std::string_view key, bool* field, std::string_view description);
  Field<double> Key(std::string_view key, double* field, std::string_view description);
  Field<absl::Duration> Key(std::string_view key, absl::Duration* field,
                            std::string_view description);
  Field<std::string> Key(std::string_view key, std::string* field, std::string_view description);
  // One character, written as a string (Flink takes the first character).
  Field<std::string> Key(std::string_view key, char* field, std::string_view description);
  Field<std::vector<std::string>> Key(std::string_view key, std::vector<std::string>* field,
                                      std::string_view description);
  // A free-form mapping is one key.
  Field<std::map<std::string, std::string>> Key(std::string_view key,
                                                std::map<std::string, std::string>* field,
                                                std::string_view description);
  // Any integer field; read as int64_t, and a value that does not fit the
  // field is refused rather than narrowed.
  template <typename I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool> &&
           !std::is_same_v<I, char>) Field<int64_t> Key(std::string_view key, I* field,
                                                        std::string_view description);
  // A duration kept as whole milliseconds.
  Field<absl::Duration> Millis(std::string_view key, int64_t* field_ms,
                               std::string_view description);
  // A value written as one of `names`; anything else is an error listing them.
  template <typename E>
  void Enum(std::string_view key, E* field,
            std::span<const std::pair<std::string_view, std::type_identity_t<E>>> names,
            std::string_view description);

  // A nested mapping; its unknown keys are errors.
  void Section(std::string_view key, absl::FunctionRef<void(Keys&)> declare);
  template <typename T>
  void Section(std::string_view key, T* part, void (*declare)(Keys&, T&)) {
    Section(key, [&](Keys& keys) { declare(keys, *part); });
  }
  // A list of mappings, each declared by `declare`; in YAML it replaces the
  // struct's list. Listed as `key[].item`.
  template <typename T>
  void List(std::string_view key, std::vector<T>* items, void (*declare)(Keys&, T&));

  // An error at `key` of this section ("" names the section itself); for
  // rules across keys. Ignored when listing.
  void Error(std::string_view key, std::string_view message);
  // Whether values come from YAML (rather than being checked or listed):
  // for the few read-time steps, such as canonicalizing a name.
  bool reading() const { return mode_ == Mode::kRead; }
  bool listing() const { return mode_ == Mode::kList; }
  // Reading, and the mapping does not name `key`: for defaults derived
  // from other keys.
  bool Absent(std::string_view key) const;

 private:
  template <typename T>
  friend class Field;
  enum class Mode { kRead, kCheck, kList };

  std::string PathOf(std::string_view key) const;
  // Appends a key to the listing; its index, or -1 when not listing.
  int AddInfo(std::string_view key, std::string default_value, std::string_view description);
  void AddRule(int info, std::string_view rule);
  void ListItems(std::string_view key, absl::FunctionRef<void(Keys&)> declare_default);

  Mode mode_;
  YamlMap* map_ = nullptr;
  std::string path_;
  ConfigErrors* errors_ = nullptr;
  std::vector<KeyInfo>* out_ = nullptr;
};

// Reads `map` into `out` (absent keys keep out's values), rejects unknown
// keys and runs every declared check; errors go to map.errors().
template <typename T>
void Read(YamlMap& map, T* out, void (*declare)(Keys&, T&)) {
  Keys keys(map);
  declare(keys, *out);
  map.RejectUnknownKeys();
}

// InvalidArgument listing every failed check, one per line, each under
// `path` (`statsd.threads: must be between 1 and 64`); OK when none fails.
template <typename T>
absl::Status Check(std::string_view path, const T& value, void (*declare)(Keys&, T&)) {
  ConfigErrors errors;
  Keys keys(std::string(path), &errors);
  T copy = value;  // the declaration binds mutable fields; checking leaves them alone
  declare(keys, copy);
  return errors.ToStatus();
}

// Every key under `path` with the default of a value-initialized T.
template <typename T>
std::vector<KeyInfo> List(std::string_view path, void (*declare)(Keys&, T&)) {
  return ListValues(path, T{}, declare);
}

// Every key under `path` with its value in `value` (as `default_value`).
template <typename T>
std::vector<KeyInfo> ListValues(std::string_view path, const T& value, void (*declare)(Keys&, T&)) {
  std::vector<KeyInfo> out;
  Keys keys(std::string(path), &out);
  T copy = value;  // the declaration binds mutable fields
  declare(keys, copy);
  return out;
}

// The paths of the keys whose values differ between `before` and `after`,
// in declaration order: what a reload tells apart into applied and not.
// A list of mappings (Keys::List) is listed by its items' keys only, so
// changes inside one are not seen (the gateway's sections have none).
template <typename T>
std::vector<std::string> ChangedKeys(std::string_view path, const T& before, const T& after,
                                     void (*declare)(Keys&, T&)) {
  std::map<std::string, std::string> old_values;
  for (KeyInfo& key : ListValues(path, before, declare)) {
    old_values.emplace(std::move(key.path), std::move(key.default_value));
  }
  std::vector<std::string> changed;
  for (const KeyInfo& key : ListValues(path, after, declare)) {
    auto it = old_values.find(key.path);
    if (it == old_values.end() || it->second != key.default_value) changed.push_back(key.path);
  }
  return changed;
}

// ---------------------------------------------------------------------------
// Implementation.

template <typename T>
Field<T>::Field(Keys* keys, std::string key, T value, bool bad, int info, std::string unfit)
    : keys_(keys),
      key_(std::move(key)),
      value_(std::move(value)),
      bad_(bad),
      info_(info),
      unfit_(std::move(unfit)) {}

template <typename T>
Field<T>::~Field() {
  if (!bad_ && !unfit_.empty()) keys_->Error(key_, unfit_);
}

template <typename T>
void Field<T>::Require(bool ok, std::string_view message) {
  if (keys_->listing()) {
    keys_->AddRule(info_, message);
    return;
  }
  if (bad_ || ok) return;
  keys_->Error(key_, message);
  bad_ = true;
}

template <typename T>
Field<T>& Field<T>::Required() {
  if (keys_->listing()) {
    keys_->AddRule(info_, "required");
  } else if (!bad_ && keys_->reading() && keys_->Absent(key_)) {
    keys_->Error(key_, "required");
    bad_ = true;
  }
  return *this;
}

template <typename T>
Field<T>& Field<T>::Min(const T& lo) {
  // Written so that NaN fails.
  if constexpr (std::is_same_v<T, double>) {
    Require(value_ >= lo, absl::StrCat("must be a number >= ", RenderValue(lo)));
  } else {
    Require(value_ >= lo, absl::StrCat("must be at least ", RenderValue(lo)));
  }
  return *this;
}

template <typename T>
Field<T>& Field<T>::Max(const T& hi) {
  Require(value_ <= hi, absl::StrCat("must be at most ", RenderValue(hi)));
  return *this;
}

template <typename T>
Field<T>& Field<T>::Range(const T& lo, const T& hi) {
  Require(value_ >= lo && value_ <= hi,
          absl::StrCat("must be between ", RenderValue(lo), " and ", RenderValue(hi)));
  return *this;
}

template <typename T>
Field<T>& Field<T>::Positive() {
  if constexpr (std::is_same_v<T, absl::Duration>) {
    Require(value_ > absl::ZeroDuration(), "must be longer than 0");
  } else if constexpr (std::is_same_v<T, double>) {
    Require(value_ > 0, "must be > 0");
  } else {
    Require(value_ >= 1, "must be at least 1");
  }
  return *this;
}

template <typename T>
Field<T>& Field<T>::NonNegative() {
  if constexpr (std::is_same_v<T, absl::Duration>) {
    Require(value_ >= absl::ZeroDuration(), "must not be negative");
  } else if constexpr (std::is_same_v<T, double>) {
    Require(value_ >= 0, "must be a number >= 0");
  } else {
    Require(value_ >= 0, "must not be negative");
  }
  return *this;
}

template <typename T>
Field<T>& Field<T>::NonEmpty() {
  Require(!value_.empty(), "must not be empty");
  return *this;
}

template <typename T>
Field<T>& Field<T>::OneOf(std::initializer_list<std::string_view> names) {
  std::string expected = "expected ";
  bool ok = false;
  size_t i = 0;
  for (std::string_view name : names) {
    if (name == value_) ok = true;
    if (i > 0) expected += i + 1 == names.size() ? " or " : ", ";
    expected += name;
    ++i;
  }
  Require(ok, expected);
  return *this;
}

template <typename T>
Field<T>& Field<T>::UniqueItems() {
  std::string problem;
  for (size_t i = 0; i < value_.size() && problem.empty(); ++i) {
    if (value_[i].empty()) problem = "must not list an empty value";
    for (size_t j = 0; j < i && problem.empty(); ++j) {
      if (value_[j] == value_[i]) problem = absl::StrCat("'", value_[i], "' is listed twice");
    }
  }
  if (keys_->listing()) {
    keys_->AddRule(info_, "no value empty or twice");
  } else {
    Require(problem.empty(), problem);
  }
  return *this;
}

template <typename T>
template <typename F>
Field<T>& Field<T>::Check(std::string_view rule, F check) {
  if (keys_->listing() || bad_) {
    Require(true, rule);
    return *this;
  }
  if constexpr (std::is_same_v<std::invoke_result_t<F, const T&>, bool>) {
    Require(check(value_), rule);
  } else {
    const absl::Status status = check(value_);
    Require(status.ok(), std::string(status.message()));
  }
  return *this;
}

template <typename I>
requires(std::is_integral_v<I> && !std::is_same_v<I, bool> &&
         !std::is_same_v<I, char>) Field<int64_t> Keys::Key(std::string_view key, I* field,
                                                            std::string_view description) {
  int64_t wide = static_cast<int64_t>(*field);
  bool bad = false;
  std::string unfit;
  if (reading()) {
    bad = !map_->Get(key, &wide);
    constexpr int64_t kMin =
        std::is_signed_v<I> ? static_cast<int64_t>(std::numeric_limits<I>::min()) : 0;
    constexpr int64_t kMax = std::is_unsigned_v<I> && sizeof(I) >= sizeof(int64_t)
                                 ? std::numeric_limits<int64_t>::max()
                                 : static_cast<int64_t>(std::numeric_limits<I>::max());
    if (wide < kMin) {
      unfit = kMin == 0 ? "must not be negative" : absl::StrCat("must be at least ", kMin);
    } else if (wide > kMax) {
      unfit = absl::StrCat("must be at most ", kMax);
    } else if (!bad) {
      *field = static_cast<I>(wide);
    }
  }
  return Field<int64_t>(this, std::string(key), wide, bad,
                        AddInfo(key, RenderValue(static_cast<int64_t>(*field)), description),
                        std::move(unfit));
}

template <typename E>
void Keys::Enum(std::string_view key, E* field,
                std::span<const std::pair<std::string_view, std::type_identity_t<E>>> names,
                std::string_view description) {
  std::string current;
  for (const auto& [name, value] : names) {
    if (value == *field) current = std::string(name);
  }
  std::string text = current;
  bool bad = false;
  if (reading()) {
    bad = !map_->Get(key, &text);
    bool known = false;
    for (const auto& [name, value] : names) {
      if (name == text) {
        *field = value;
        known = true;
      }
    }
    if (!bad && !known) text.clear();  // refused below as not one of the names
  }
  std::string expected = "expected ";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) expected += i + 1 == names.size() ? " or " : ", ";
    expected += names[i].first;
  }
  Field<std::string> f(this, std::string(key), text, bad, AddInfo(key, current, description));
  f.Check(expected, [](const std::string& t) { return !t.empty(); });
}

template <typename T>
void Keys::List(std::string_view key, std::vector<T>* items, void (*declare)(Keys&, T&)) {
  switch (mode_) {
    case Mode::kRead: {
      if (Absent(key)) {
        map_->List(key);  // marks the key as read
        return;
      }
      items->clear();
      for (YamlMap& m : map_->List(key)) {
        Keys item(m);
        declare(item, items->emplace_back());
        m.RejectUnknownKeys();
      }
      return;
    }
    case Mode::kCheck:
      for (size_t i = 0; i < items->size(); ++i) {
        Keys item(absl::StrCat(PathOf(key), "[", i, "]"), errors_);
        declare(item, (*items)[i]);
      }
      return;
    case Mode::kList: {
      T value{};
      ListItems(key, [&](Keys& item) { declare(item, value); });
      return;
    }
  }
}

}  // namespace vitals::config
