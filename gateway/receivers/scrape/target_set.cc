#include "gateway/receivers/scrape/target_set.h"

#include <glob.h>
#include <sys/stat.h>

#include <set>

#include "absl/strings/str_cat.h"

namespace vitals::gateway {
namespace {

std::vector<std::string> Expand(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  return out;
}

}  // namespace

TargetSet::TargetSet(std::vector<std::string> patterns, FileSdDefaults defaults)
    : patterns_(std::move(patterns)), defaults_(defaults) {}

std::vector<std::string> TargetSet::files() const {
  std::vector<std::string> out;
  for (const auto& [file, state] : files_) out.push_back(file);
  return out;
}

TargetDiff TargetSet::Refresh(std::vector<absl::Status>* errors) {
  auto report = [errors](absl::Status s) {
    if (errors != nullptr) errors->push_back(std::move(s));
  };

  std::set<std::string> matched;
  for (const std::string& pattern : patterns_) {
    for (std::string& file : Expand(pattern)) matched.insert(std::move(file));
  }

  bool changed = false;
  for (auto it = files_.begin(); it != files_.end();) {
    if (matched.contains(it->first)) {
      ++it;
    } else {
      it = files_.erase(it);
      changed = true;
    }
  }
  for (const std::string& file : matched) {
    struct stat st {};
    if (stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // a directory, or gone
    const Stamp stamp{static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                      static_cast<int64_t>(st.st_size), static_cast<uint64_t>(st.st_ino)};
    auto [it, inserted] = files_.try_emplace(file);
    FileState& state = it->second;
    if (!inserted && state.stamp == stamp) continue;
    // Stamped before reading: a write that lands during the read changes
    // the stamp again and is picked up on the next call.
    state.stamp = stamp;
    absl::StatusOr<std::vector<TargetGroup>> groups = ReadFileSd(file, defaults_);
    if (!groups.ok()) {
      report(groups.status());
      continue;
    }
    state.groups = std::move(*groups);
    changed = true;
  }
  if (!changed) return {};

  std::map<std::string, ScrapeTarget> next;
  for (const auto& [file, state] : files_) {
    for (const TargetGroup& group : state.groups) {
      for (const ScrapeTarget& target : group.targets) {
        std::string name = target.Name();
        auto [it, inserted] = next.try_emplace(name, target);
        if (!inserted) {
          report(absl::AlreadyExistsError(absl::StrCat(target.origin, ": target ", name,
                                                       " is already listed at ", it->second.origin,
                                                       "; ignored")));
        }
      }
    }
  }

  TargetDiff diff;
  for (const auto& [name, target] : next) {
    auto it = targets_.find(name);
    if (it == targets_.end()) {
      diff.added.push_back(target);
    } else if (!it->second.SameSettings(target)) {
      diff.changed.push_back(target);
    }
  }
  for (const auto& [name, target] : targets_) {
    if (!next.contains(name)) diff.removed.push_back(name);
  }
  targets_ = std::move(next);
  return diff;
}

}  // namespace vitals::gateway
