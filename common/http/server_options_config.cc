#include "common/http/server_options_config.h"

#include <algorithm>

namespace vitals::http {

void ParseServerOptions(config::YamlMap& section, ServerOptions* options) {
  int64_t max_body = static_cast<int64_t>(options->max_body_bytes);
  section.Get("max_body_bytes", &max_body);
  options->max_body_bytes = static_cast<size_t>(std::max<int64_t>(max_body, 0));
  section.Get("read_timeout", &options->read_timeout);
  section.Get("idle_timeout", &options->idle_timeout);
  int64_t threads = options->threads;
  section.Get("threads", &threads);
  options->threads = static_cast<int>(threads);
  section.RejectUnknownKeys();
}

}  // namespace vitals::http
