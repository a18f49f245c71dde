# Pushgateway grouping-key path decoder (gateway/receivers/pushgateway).
vitals_fuzzer(pushgateway_path_fuzzer
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/pushgateway_path_fuzzer.cc
  DEPS vitals_pushgateway_path absl::strings
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/pushgateway_path)
