#include "common/kafka/properties.h"

#include <librdkafka/rdkafka.h>

#include "absl/strings/str_cat.h"

namespace vitals::kafka {

absl::StatusOr<rd_kafka_conf_s*> MakeConf(const Properties& properties) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat("kafka property ", key, ": ", err));
    }
  }
  return conf;
}

absl::Status ValidateProperties(const Properties& properties) {
  absl::StatusOr<rd_kafka_conf_s*> conf = MakeConf(properties);
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_destroy(*conf);
  return absl::OkStatus();
}

}  // namespace vitals::kafka
