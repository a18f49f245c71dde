#pragma once

// The scrape targets of a list of file_sd paths and globs, kept current by
// polling: Refresh() expands the globs, re-reads only the files whose
// modification time, size or inode changed, and returns what changed since
// the last call, so that targets present before and after keep their
// scrape state and timing. Polling rather than inotify: file_sd files are
// few and small, and a stat per file every few seconds also works on the
// ConfigMap volumes and network mounts where inotify does not.
//
// A file that fails to read or parse keeps its previous targets (its error
// is reported once per change of the file); a file that is gone, or no
// longer matched, takes its targets with it. When two entries name the
// same target, the first (files in path order) wins.
//
// Not thread-safe: one refresher owns it.

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gateway/receivers/scrape/file_sd.h"
#include "gateway/receivers/scrape/target.h"

namespace vitals::gateway {

struct TargetDiff {
  std::vector<ScrapeTarget> added;
  // Same name, new settings (labels, timing, scheme).
  std::vector<ScrapeTarget> changed;
  std::vector<std::string> removed;  // names

  bool empty() const { return added.empty() && changed.empty() && removed.empty(); }
};

class TargetSet {
 public:
  TargetSet(std::vector<std::string> patterns, FileSdDefaults defaults);

  // `errors` (optional) receives the problems found by this call: files
  // that failed to read or parse, duplicate targets. Each names its file.
  TargetDiff Refresh(std::vector<absl::Status>* errors = nullptr);

  // By ScrapeTarget::Name().
  const std::map<std::string, ScrapeTarget>& targets() const { return targets_; }
  // Files currently matched by the patterns.
  std::vector<std::string> files() const;

 private:
  struct Stamp {
    int64_t mtime_ns = -1;
    int64_t size = -1;
    uint64_t inode = 0;
    bool operator==(const Stamp&) const = default;
  };
  struct FileState {
    Stamp stamp;
    std::vector<TargetGroup> groups;  // the last good read
  };

  std::vector<std::string> patterns_;
  FileSdDefaults defaults_;
  std::map<std::string, FileState> files_;
  std::map<std::string, ScrapeTarget> targets_;
};

}  // namespace vitals::gateway
