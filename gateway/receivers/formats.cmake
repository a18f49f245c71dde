# The StatsD (UDP) and Influx line protocol (HTTP) receivers with their
# normalizers. Included from gateway/CMakeLists.txt; paths are relative to
# this file so that it works from any including directory.

vitals_library(vitals_gateway_statsd
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/../normalize/statsd_normalizer.cc
          ${CMAKE_CURRENT_LIST_DIR}/statsd/receiver.cc
  DEPS vitals_gateway_receivers vitals_gateway_attribute vitals_statsd_parser vitals_config
       vitals_http vitals_log
       Boost::headers Threads::Threads absl::flat_hash_set absl::node_hash_map
       absl::status absl::statusor absl::strings absl::time)

vitals_library(vitals_gateway_influx
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/../normalize/influx_normalizer.cc
          ${CMAKE_CURRENT_LIST_DIR}/influx/receiver.cc
  DEPS vitals_gateway_receivers vitals_gateway_normalize vitals_gateway_attribute
       vitals_influx_parser vitals_config
       vitals_http absl::status absl::statusor absl::strings)
