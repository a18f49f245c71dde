# Prometheus text 0.0.4 / OpenMetrics parser (gateway/receivers/promtext).
vitals_fuzzer(promtext_fuzzer
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/promtext_fuzzer.cc
  DEPS vitals_promtext_parser
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/promtext)
