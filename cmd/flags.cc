#include "cmd/flags.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"

namespace vitals::cmd {

FlagSet::FlagSet(std::string command, std::string synopsis, std::string description)
    : command_(std::move(command)),
      synopsis_(std::move(synopsis)),
      description_(std::move(description)) {}

FlagSet& FlagSet::String(std::string name, std::string* target, std::string help) {
  flags_.push_back(
      {std::move(name), "STRING", std::move(help), *target, [target](std::string_view v) {
         *target = std::string(v);
         return true;
       }});
  return *this;
}

FlagSet& FlagSet::Int(std::string name, int64_t* target, std::string help) {
  flags_.push_back({std::move(name), "N", std::move(help), std::to_string(*target),
                    [target](std::string_view v) {
                      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), *target);
                      return ec == std::errc() && ptr == v.data() + v.size();
                    }});
  return *this;
}

FlagSet& FlagSet::Bool(std::string name, bool* target, std::string help) {
  Flag f{std::move(name), "", std::move(help), *target ? "true" : "false",
         [target](std::string_view v) {
           if (v == "true" || v == "1" || v.empty()) {
             *target = true;
           } else if (v == "false" || v == "0") {
             *target = false;
           } else {
             return false;
           }
           return true;
         }};
  f.is_bool = true;
  flags_.push_back(std::move(f));
  return *this;
}

FlagSet& FlagSet::Duration(std::string name, absl::Duration* target, std::string help) {
  flags_.push_back({std::move(name), "DURATION", std::move(help), absl::FormatDuration(*target),
                    [target](std::string_view v) {
                      return absl::ParseDuration(AsAbsl(v), target) &&
                             *target >= absl::ZeroDuration();
                    }});
  return *this;
}

FlagSet& FlagSet::FromConfig(std::string key) {
  flags_.back().config_key = std::move(key);
  return *this;
}

FlagSet& FlagSet::DefaultText(std::string text) {
  flags_.back().default_text = std::move(text);
  return *this;
}

void FlagSet::SetConfigDefaults(std::function<std::string(std::string_view)> lookup) {
  config_defaults_ = std::move(lookup);
}

FlagSet::Flag* FlagSet::Find(std::string_view name) {
  for (Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

absl::Status FlagSet::Parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (arg.substr(0, 2) != "--") {
      positional_.emplace_back(arg);
      continue;
    }
    arg.remove_prefix(2);
    std::string_view name = arg;
    std::string_view value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    Flag* flag = Find(name);
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", AsAbsl(name), " (see vitals ", command_, " --help)"));
    }
    if (!has_value && !flag->is_bool) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("flag --", AsAbsl(name), " needs a value"));
      }
      value = args[++i];
    }
    if (!flag->set(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --", AsAbsl(name), ": bad value \"", AsAbsl(value), "\""));
    }
    set_.emplace_back(name);
  }
  return absl::OkStatus();
}

bool FlagSet::WasSet(std::string_view name) const {
  for (const std::string& s : set_) {
    if (s == name) return true;
  }
  return false;
}

std::string FlagSet::DefaultSuffix(const Flag& flag) const {
  // A help text that states its own default keeps it: one "(default" a line.
  if (flag.help.find("(default") != std::string::npos) return {};
  if (flag.config_key.empty()) {
    return flag.default_text.empty() ? std::string() : " (default: " + flag.default_text + ")";
  }
  const std::string value = config_defaults_ ? config_defaults_(flag.config_key) : std::string();
  // An empty built-in value is no value to show: the key's own
  // description (check-config --list-keys) says what happens then.
  const bool shown = !value.empty() && value != "\"\"" && value != "{}" && value != "[]";
  return absl::StrCat(" (default: ", flag.config_key, " from --config",
                      shown ? absl::StrCat(", else ", value) : "", ")");
}

std::string FlagSet::Usage() const {
  std::string out = absl::StrCat("Usage: vitals ", command_, " ", synopsis_, "\n\n", description_,
                                 "\n\nFlags:\n");
  for (const Flag& f : flags_) {
    std::string left = absl::StrCat("  --", f.name, f.value_name.empty() ? "" : " ", f.value_name);
    if (left.size() < 30) left.resize(30, ' ');
    absl::StrAppend(&out, left, " ", f.help, DefaultSuffix(f), "\n");
  }
  absl::StrAppend(&out, "  --help                       this text\n");
  return out;
}

}  // namespace vitals::cmd
