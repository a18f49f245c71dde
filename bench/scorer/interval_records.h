#pragma once

// The scorer benchmarks' input: a synthetic job's `flink.metrics` records,
// one per gateway and interval, built once for kDistinctIntervals
// intervals; as the job's life goes on, each record's interval start is
// rewritten in place (no copy, no allocation in the measured loop).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "test/unit/scorer/model/synthetic_job.h"
#include "vitals/v1/metrics.pb.h"

namespace vitals::scorer::bench {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int kDistinctIntervals = 64;

// A job in trouble: failing checkpoints, backpressure, skew, a backlog.
inline testing::SyntheticJob FaultyJob() {
  testing::SyntheticJob job;
  job.checkpoint_failed_share = 0.6;
  job.backpressure = 0.7;
  job.backpressured_tasks = 2;
  job.skew_factor = 4;
  job.pending_records = 500'000;
  return job;
}

class IntervalRecords {
 public:
  explicit IntervalRecords(const testing::SyntheticJob& job) {
    for (int i = 0; i < kDistinctIntervals; ++i) {
      std::vector<std::string>& records = records_.emplace_back();
      const int64_t start = kT0 + i * job.interval_ms;
      for (const v1::MetricBatch& b : testing::MakeInterval(job, start)) {
        records.push_back(b.SerializeAsString() + std::string(kStartBytes, '\0'));
        SetStart(records.back(), start);
      }
    }
  }

  // The records of the job's interval `i`, their interval start `start`.
  std::vector<std::string>& At(int64_t i, int64_t start) {
    std::vector<std::string>& records = records_[static_cast<size_t>(i % kDistinctIntervals)];
    for (std::string& record : records) SetStart(record, start);
    return records;
  }

 private:
  // Field 3 (interval_start_ms) appended to a record: the last occurrence
  // wins. A 10-byte varint, so that any start fits in place.
  static constexpr size_t kStartBytes = 11;

  static void SetStart(std::string& record, int64_t start) {
    char* p = record.data() + record.size() - kStartBytes;
    *p++ = 3 << 3;  // field 3, varint
    auto v = static_cast<uint64_t>(start);
    for (int i = 0; i < 9; ++i, v >>= 7) *p++ = static_cast<char>((v & 0x7f) | 0x80);
    *p = static_cast<char>(v & 0x7f);
  }

  std::vector<std::vector<std::string>> records_;
};

}  // namespace vitals::scorer::bench
