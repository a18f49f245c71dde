#include "gateway/receivers/scrape/scrape_metrics.h"

namespace vitals::gateway {

ScrapeMetrics::ScrapeMetrics(prometheus::Registry& registry)
    : up_(prometheus::BuildGauge()
              .Name("vitals_gateway_scrape_target_up")
              .Help("1 when the last scrape of the Flink endpoint succeeded, else 0.")
              .Register(registry)),
      duration_(prometheus::BuildGauge()
                    .Name("vitals_gateway_scrape_duration_seconds")
                    .Help("Duration of the last scrape of the target.")
                    .Register(registry)),
      samples_(prometheus::BuildGauge()
                   .Name("vitals_gateway_scrape_samples")
                   .Help("Samples in the last scrape of the target (0 when it failed).")
                   .Register(registry)),
      scrapes_(prometheus::BuildCounter()
                   .Name("vitals_gateway_scrapes_total")
                   .Help("Scrapes of Flink endpoints, by result.")
                   .Register(registry)),
      targets_(&prometheus::BuildGauge()
                    .Name("vitals_gateway_scrape_targets")
                    .Help("Targets listed in file_sd and being scraped.")
                    .Register(registry)
                    .Add({})) {}

ScrapeMetrics::TargetSeries ScrapeMetrics::AddTarget(const std::string& target) {
  const prometheus::Labels labels{{"target", target}};
  TargetSeries s;
  s.up = &up_.Add(labels);
  s.duration = &duration_.Add(labels);
  s.samples = &samples_.Add(labels);
  s.up->Set(0);
  return s;
}

void ScrapeMetrics::RemoveTarget(const TargetSeries& series) {
  if (series.up != nullptr) up_.Remove(series.up);
  if (series.duration != nullptr) duration_.Remove(series.duration);
  if (series.samples != nullptr) samples_.Remove(series.samples);
}

void ScrapeMetrics::CountScrape(std::string_view result) {
  scrapes_.Add({{"result", std::string(result)}}).Increment();
}

}  // namespace vitals::gateway
