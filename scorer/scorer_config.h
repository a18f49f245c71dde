#pragma once

// The `scorer:` section of a Vitals config file.

#include <string>

#include "absl/time/time.h"
#include "common/config/yaml_reader.h"
#include "common/http/server.h"
#include "common/kafka/properties.h"
#include "scorer/model/scoring_config.h"

namespace vitals::scorer {

struct ScorerConfig {
  std::string listen = "0.0.0.0:9095";
  http::ServerOptions http;
  std::string metrics_topic = "flink.metrics";
  std::string health_topic = "flink.health";
  std::string state_topic = "vitals.scorer.state";
  std::string group_id = "vitals-scorer";
  kafka::Properties kafka_properties;
  // How often the scorer looks for closed intervals to evaluate.
  absl::Duration tick = absl::Seconds(1);
  ScoringConfig scoring;

  absl::Status Validate() const;
  kafka::Properties ConsumerProperties() const;
  kafka::Properties ProducerProperties() const;
};

ScorerConfig ParseScorerConfig(config::YamlMap& map);

}  // namespace vitals::scorer
