#pragma once

// Flags of one subcommand: `--name value` or `--name=value`, `--help`.
// Each flag writes straight into the setting it overrides, so flags
// override config keys by being applied after the file is read.

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

  void String(std::string name, std::string* target, std::string help);
  void Int(std::string name, int64_t* target, std::string help);
  void Bool(std::string name, bool* target, std::string help);
  void Duration(std::string name, absl::Duration* target, std::string help);

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
  };
  Flag* Find(std::string_view name);

  std::string command_, synopsis_, description_;
  std::vector<Flag> flags_;
  std::vector<std::string> set_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

}  // namespace vitals::cmd
