#pragma once

// Strict reading of YAML config files. Each config struct declares the keys
// it reads through a YamlMap; whatever key is left unread is reported as
// unknown with its full path (`gateway.kafka.acks`), so a misspelling is an
// error at start-up instead of a silently ignored setting.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "yaml-cpp/yaml.h"

namespace vitals::config {

// Collects every error of one file so that the user sees all of them at once.
class ConfigErrors {
 public:
  void Add(std::string_view path, std::string_view message);
  bool empty() const { return errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  // InvalidArgument listing every error, one per line; OK when there are none.
  absl::Status ToStatus() const;

 private:
  std::vector<std::string> errors_;
};

class YamlMap {
 public:
  // `node` may be null/undefined (an absent section): every Get keeps its default.
  YamlMap(YAML::Node node, std::string path, ConfigErrors* errors);

  // Each Get leaves `out` untouched when the key is absent and records a
  // type error under the key's path when the value does not fit; it
  // returns false after such an error. Config sections declare their keys
  // through config::Keys (keys.h), which calls these.
  bool Get(std::string_view key, std::string* out);
  bool Get(std::string_view key, bool* out);
  bool Get(std::string_view key, int64_t* out);
  bool Get(std::string_view key, uint32_t* out);
  bool Get(std::string_view key, double* out);
  // Durations are written as "10s", "500ms", "5m", "1h".
  bool Get(std::string_view key, absl::Duration* out);
  bool Get(std::string_view key, std::vector<std::string>* out);
  bool Get(std::string_view key, std::map<std::string, std::string>* out);

  // A nested mapping; absent gives an empty map whose Gets keep defaults.
  YamlMap Child(std::string_view key);
  // A sequence of mappings.
  std::vector<YamlMap> List(std::string_view key);
  // Whether the key is there with a value (`key: ~` counts as absent).
  bool Has(std::string_view key) const;

  // Reports each key that no Get/Child/List read. Call once, after reading.
  void RejectUnknownKeys();

  const std::string& path() const { return path_; }
  ConfigErrors* errors() const { return errors_; }
  // Records an error at `key` under this map's path (for Validate()).
  void Error(std::string_view key, std::string_view message) const;

 private:
  YAML::Node Take(std::string_view key);
  std::string KeyPath(std::string_view key) const;

  YAML::Node node_;
  std::string path_;
  ConfigErrors* errors_;
  std::vector<std::string> read_;
};

// Loads a YAML file; NotFound / InvalidArgument (with line and column) on failure.
absl::Status LoadYamlFile(const std::string& file, YAML::Node* out);

// Environment variables and secret files in config values. The rules, as
// docs/configuration.md states them for users:
//
//   ${NAME}           NAME's value; an unset NAME is an error (set but
//                     empty gives "")
//   ${NAME:-default}  NAME's value, or `default` when NAME is unset or
//                     empty; `default` is taken literally and holds no `}`
//   $${               a literal `${`
//   any other `$`     itself (`$2b$…`, `pa$$word` stay as written)
//
// NAME is [A-Za-z_][A-Za-z0-9_]*. Values substituted are not expanded
// again. Errors name the variable, never a value: the value may be the
// secret the user meant to keep out of the file.

// Returns a variable's value, or null when it is unset (std::getenv's shape).
using EnvLookup = absl::FunctionRef<const char*(const char*)>;

// Sets `out` to `text` expanded; InvalidArgument naming the variable or the
// bad reference.
absl::Status ExpandEnv(std::string_view text, EnvLookup lookup, std::string* out);

// Expands every scalar value under `node` in place (mapping keys stay as
// written); each error is recorded under the value's path, which is `path`
// joined with the keys and [index]es leading to it.
void ExpandEnvInValues(YAML::Node node, const std::string& path, ConfigErrors* errors,
                       EnvLookup lookup);

// A secret file's content without its trailing newline (one `\n` or `\r\n`,
// as `echo` and `kubectl create secret --from-file` leave it). Relative
// paths are taken from `base_dir` when it is not empty. InvalidArgument
// naming the file and the reason, never its content.
absl::Status ReadSecretFile(const std::string& file, const std::string& base_dir, std::string* out);

// In the mapping `node` at `path`, replaces each `KEY_file: FILE` with
// `KEY: <FILE's content>` (ReadSecretFile). Naming both KEY and KEY_file,
// an unreadable file, or a FILE that is not a string is an error under the
// `_file` key's path. Returns the values read, for the caller to keep out
// of anything it prints.
std::vector<std::string> ResolveFileKeys(YAML::Node node, const std::string& path,
                                         const std::string& base_dir, ConfigErrors* errors);

}  // namespace vitals::config
