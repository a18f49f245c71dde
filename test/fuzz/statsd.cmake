# StatsD line parser and Flink scope-identifier parser: one source, two
# targets (the scope one built with VITALS_STATSD_FUZZ_SCOPE), each with
# its own corpus folder (corpus/<target without _fuzzer>).
foreach(name statsd statsd_scope)
  vitals_fuzzer(${name}_fuzzer
    SOURCE ${CMAKE_CURRENT_LIST_DIR}/statsd_fuzzer.cc
    DEPS vitals_statsd_parser
    CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/${name})
endforeach()
target_compile_definitions(statsd_scope_fuzzer PRIVATE VITALS_STATSD_FUZZ_SCOPE=1)
