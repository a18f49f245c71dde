#include "gateway/receivers/scrape/scrape_ingest.h"

#include "absl/strings/str_cat.h"
#include "gateway/attribute/process_attributor.h"
#include "gateway/receivers/promtext/extra_labels.h"
#include "gateway/receivers/promtext/normalizer.h"

namespace vitals::gateway {
namespace {

struct CountingSink : SampleSink {
  size_t n = 0;
  void OnSample(const SampleView&) override { ++n; }
};

}  // namespace

ScrapeIngester::ScrapeIngester()
    : prom_(TextFormat::kPrometheus004), open_metrics_(TextFormat::kOpenMetrics100) {}

absl::StatusOr<size_t> ScrapeIngester::Ingest(const ScrapeTarget& target, std::string_view body,
                                              TextFormat format, int64_t now_ms,
                                              ProcessJobTable& processes, FlinkSampleSink& sink) {
  PromTextParser& parser = format == TextFormat::kOpenMetrics100 ? open_metrics_ : prom_;
  CountingSink counting;
  if (absl::Status s = parser.Parse(body, counting); !s.ok()) return s;

  source_ = absl::StrCat("scrape:", target.Name());
  std::string_view job_name;
  std::string_view cluster;
  extra_.clear();
  for (const auto& [name, value] : target.labels) {
    if (name == "job_name") {
      job_name = value;
    } else if (name == "cluster") {
      cluster = value;
    } else {
      extra_.push_back({name, value});
    }
  }
  ProcessAttributor attributor(&processes, &sink);
  attributor.Begin(job_name);
  PromNormalizer normalizer(&attributor);
  normalizer.Reset(source_, now_ms, cluster);
  // honor_labels: true, as Flink's own labels must not be overwritten.
  ExtraLabels labeler(extra_, ExtraLabels::Clash::kSampleWins, &normalizer);
  // Validated above, so this parse delivers every sample and cannot fail.
  const absl::Status parsed = parser.Parse(body, labeler);
  attributor.Finish(now_ms);
  if (!parsed.ok()) return parsed;
  return counting.n;
}

}  // namespace vitals::gateway
