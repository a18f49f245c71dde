#pragma once

// One scrape body of one target → FlinkSamples, exactly as a Pushgateway
// push of the same text becomes them (PromNormalizer, the same counter and
// gauge typing), so that a PrometheusReporter endpoint gives the same
// aggregates whether it is scraped or pushes. The target plays the part of
// the push group:
// - `source` is `scrape:<target>` (one sender per Flink process), whose
//   process-level samples (JobManager and TaskManager Status.*) go to the
//   jobs its job-scoped samples name (gateway/attribute/);
// - a `job_name` target label is the sender's name, as a push group's job
//   is: it names a job only for a target without job-scoped samples, and
//   only where the operator opted in (attribution.sender_name_as_job);
// - a `cluster` target label (a cluster name, checked by file_sd) names the
//   samples' cluster: it is the operator's config, so it always does, where
//   a pushed `cluster` grouping label does only with cluster_override;
// - every other target label is added to each sample that lacks a label of
//   that name (Prometheus' honor_labels: true: the sample's own wins).
// Prometheus' `instance` and `job` target labels are not added: `source`
// already tells the senders apart and folds away.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/attribute/process_job_table.h"
#include "gateway/flink_sample.h"
#include "gateway/receivers/promtext/parser.h"
#include "gateway/receivers/scrape/target.h"

namespace vitals::gateway {

class ScrapeIngester {
 public:
  ScrapeIngester();

  // Validates the whole body first (a scrape that does not parse delivers
  // nothing, as a push that does not parse is refused whole), then feeds
  // its samples to `sink` stamped `now_ms`. Returns the sample count, or
  // InvalidArgument "line N: reason". Keeps scratch space between calls:
  // one ingester per thread.
  absl::StatusOr<size_t> Ingest(const ScrapeTarget& target, std::string_view body,
                                TextFormat format, int64_t now_ms, ProcessJobTable& processes,
                                FlinkSampleSink& sink);

 private:
  PromTextParser prom_;
  PromTextParser open_metrics_;
  std::string source_;
  std::vector<LabelView> extra_;  // target labels to add
};

}  // namespace vitals::gateway
