#pragma once

// The pipeline stage between a receiver's normalizer and the aggregator
// that gives process-scope samples (those naming no job: a JobManager's or
// TaskManager's Status.JVM.*, cluster figures) to the Flink jobs their
// process runs, by evidence (process_job_table.h). Samples naming their
// job pass straight on and are the evidence.
//
// One batch is one sender's report or a part of it: a push group replayed,
// a scrape, an Influx request, the datagrams of one StatsD wake-up.
// Process-scope samples are held until Finish(), since Flink writes them
// before or after the job-scoped ones depending on the reporter; then each
// goes to every job its process ran in this batch or within the evidence
// TTL — once per job for a session cluster's TaskManager — or, with no
// job, is counted and dropped (or given to the sender's name, where the
// operator opted in). A sender's name never makes a Flink job otherwise.
//
// Not thread-safe: one per receiving thread; the table is shared.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gateway/attribute/process_job_table.h"
#include "gateway/flink_sample.h"

namespace vitals::gateway {

class ProcessAttributor final : public FlinkSampleSink {
 public:
  ProcessAttributor(ProcessJobTable* table, FlinkSampleSink* next) : table_(table), next_(next) {}

  // Starts a batch; `sender_job_name` is the name the sender goes by (a
  // push group's job, Flink's random suffix stripped; a scrape target's
  // job_name label), used only as the operator allows.
  void Begin(std::string_view sender_job_name = {});
  void OnFlinkSample(const FlinkSample& sample) override;
  // Ends the batch at `now_ms`: records its evidence, hands on the held
  // samples, adds what it did to the table's counts.
  void Finish(int64_t now_ms);

 private:
  // A process-scope sample, copied: the normalizer's views do not outlive
  // the call.
  struct Held {
    std::string process;
    v1::Scope scope = v1::SCOPE_UNSPECIFIED;
    std::string metric;
    std::vector<std::pair<std::string, std::string>> labels;
    double value = 0;
    SampleType type = SampleType::kGauge;
    std::string quantile;
    int64_t timestamp_ms = 0;
    std::string source;
    std::string cluster;
  };

  void Hold(const FlinkSample& sample);
  void Note(const FlinkSample& sample);
  void Emit(const Held& held, const JobRef& job);

  ProcessJobTable* table_;
  FlinkSampleSink* next_;
  std::string sender_job_name_;

  // The batch's evidence, and the last sample that gave some: samples of
  // one process and job come in runs, so most cost one comparison.
  std::vector<JobEvidence> evidence_;
  absl::flat_hash_set<std::string> noted_;  // process and job of each evidence_
  std::string note_key_;                    // scratch: a key of noted_
  std::string last_source_;
  std::string last_job_id_;
  std::string last_job_name_;
  std::string last_host_;
  std::string last_tm_id_;
  // Held samples; slots are reused across batches.
  std::vector<Held> held_;
  size_t held_used_ = 0;

  std::vector<JobRef> jobs_;       // scratch: one process's jobs
  std::vector<LabelView> labels_;  // scratch: one emitted sample's labels
};

// `source` + `host` + `tm_id` of a sample: one Flink process.
std::string ProcessKeyOf(const FlinkSample& sample);

}  // namespace vitals::gateway
