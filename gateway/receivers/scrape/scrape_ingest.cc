#include "gateway/receivers/scrape/scrape_ingest.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gateway/normalize/prom_normalizer.h"

namespace vitals::gateway {
namespace {

struct CountingSink : SampleSink {
  size_t n = 0;
  void OnSample(const SampleView&) override { ++n; }
};

// Adds the target's labels that a sample lacks, then hands it on.
class TargetLabeler : public SampleSink {
 public:
  TargetLabeler(std::span<const LabelView> extra, SampleSink* next) : extra_(extra), next_(next) {}

  void OnSample(const SampleView& sample) override {
    if (extra_.empty()) {
      next_->OnSample(sample);
      return;
    }
    labels_.assign(sample.labels.begin(), sample.labels.end());
    for (const LabelView& label : extra_) {
      const bool present = std::any_of(sample.labels.begin(), sample.labels.end(),
                                       [&](const LabelView& l) { return l.name == label.name; });
      if (!present) labels_.push_back(label);
    }
    SampleView out = sample;
    out.labels = labels_;
    next_->OnSample(out);
  }

 private:
  std::span<const LabelView> extra_;
  SampleSink* next_;
  std::vector<LabelView> labels_;
};

}  // namespace

ScrapeIngester::ScrapeIngester()
    : prom_(TextFormat::kPrometheus004), open_metrics_(TextFormat::kOpenMetrics100) {}

absl::StatusOr<size_t> ScrapeIngester::Ingest(const ScrapeTarget& target, std::string_view body,
                                              TextFormat format, int64_t now_ms,
                                              FlinkSampleSink& sink) {
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
  PromNormalizer normalizer(&sink);
  normalizer.Reset(source_, job_name, now_ms, cluster);
  TargetLabeler labeler(extra_, &normalizer);
  // Validated above, so this parse delivers every sample and cannot fail.
  if (absl::Status s = parser.Parse(body, labeler); !s.ok()) return s;
  return counting.n;
}

}  // namespace vitals::gateway
