# Influx line protocol parser (gateway/receivers/influx).
vitals_fuzzer(influx_fuzzer
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/influx_fuzzer.cc
  DEPS vitals_influx_parser
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/influx)
