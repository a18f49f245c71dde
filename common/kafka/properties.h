#pragma once

// librdkafka properties pass straight through from config files: any key
// librdkafka knows is settable, and an unknown key or bad value is an
// InvalidArgument naming it.

#include <map>
#include <string>

#include "absl/status/statusor.h"

struct rd_kafka_conf_s;

namespace vitals::kafka {

using Properties = std::map<std::string, std::string>;

// Builds a librdkafka configuration; the caller owns the result (or hands
// it to rd_kafka_new, which takes ownership).
absl::StatusOr<rd_kafka_conf_s*> MakeConf(const Properties& properties);

// Validates properties without creating a client (for check-config).
absl::Status ValidateProperties(const Properties& properties);

}  // namespace vitals::kafka
