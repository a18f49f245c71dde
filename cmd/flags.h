#pragma once

// Flags of one subcommand: `--name value` or `--name=value`, `--help`.
// Each flag writes straight into the setting it overrides, so flags
// override config keys by being applied after the file is read.
//
// --help shows each flag's default: the target's initial value, unless the
// flag overrides a config key (FromConfig), whose value it then names, or
// the default is not a value at all (DefaultText).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace vitals::cmd {

class FlagSet {
 public:
  FlagSet(std::string command, std::string synopsis, std::string description);

  // Each returns *this, so that FromConfig or DefaultText can follow.
  FlagSet& String(std::string name, std::string* target, std::string help);
  FlagSet& Int(std::string name, int64_t* target, std::string help);
  FlagSet& Bool(std::string name, bool* target, std::string help);
  FlagSet& Duration(std::string name, absl::Duration* target, std::string help);

  // The flag added last overrides config key `key` (a full path such as
  // gateway.listen) when set: unset, the command uses the config's value,
  // so that (and not the target's placeholder) is the default shown.
  FlagSet& FromConfig(std::string key);
  // The flag added last shows `text` as its default; empty: none shown.
  FlagSet& DefaultText(std::string text);
  // How FromConfig flags find their key's built-in default for --help;
  // returns empty for a key without one (a map entry, a computed value).
  void SetConfigDefaults(std::function<std::string(std::string_view key)> lookup);

  // InvalidArgument naming the flag on an unknown flag or a bad value.
  absl::Status Parse(const std::vector<std::string>& args);
  bool help_requested() const { return help_; }
  bool WasSet(std::string_view name) const;
  const std::vector<std::string>& positional() const { return positional_; }
  std::string Usage() const;

 private:
  struct Flag {
    std::string name;
    std::string value_name;  // empty for booleans
    std::string help;
    std::string default_text;
    std::function<bool(std::string_view)> set;
    bool is_bool = false;
    std::string config_key = {};  // empty unless FromConfig
  };
  Flag* Find(std::string_view name);
  std::string DefaultSuffix(const Flag& flag) const;

  std::string command_, synopsis_, description_;
  std::vector<Flag> flags_;
  std::vector<std::string> set_;
  std::vector<std::string> positional_;
  bool help_ = false;
  std::function<std::string(std::string_view)> config_defaults_;
};

}  // namespace vitals::cmd
