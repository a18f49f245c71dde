# The scraper of Flink PrometheusReporter endpoints listed in file_sd files.
# Included from gateway/CMakeLists.txt; paths are relative to this file so
# that it works from any including directory.

vitals_library(vitals_gateway_scrape
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/scrape/file_sd.cc
          ${CMAKE_CURRENT_LIST_DIR}/scrape/scrape_ingest.cc
          ${CMAKE_CURRENT_LIST_DIR}/scrape/scrape_metrics.cc
          ${CMAKE_CURRENT_LIST_DIR}/scrape/scrape_options.cc
          ${CMAKE_CURRENT_LIST_DIR}/scrape/scraper.cc
          ${CMAKE_CURRENT_LIST_DIR}/scrape/target_loop.cc
          ${CMAKE_CURRENT_LIST_DIR}/scrape/target_set.cc
  DEPS vitals_gateway_receivers vitals_gateway_normalize vitals_gateway_attribute
       vitals_promtext_parser vitals_config
       vitals_http vitals_log prometheus-cpp::core yaml-cpp Threads::Threads
       absl::status absl::statusor absl::strings absl::time)
