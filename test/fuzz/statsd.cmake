# StatsD line parser and Flink scope-identifier parser: one source, two
# targets (the scope one built with VITALS_STATSD_FUZZ_SCOPE). Both replay
# the whole corpus/statsd folder.
foreach(target statsd_fuzzer statsd_scope_fuzzer)
  vitals_fuzzer(${target}
    SOURCE ${CMAKE_CURRENT_LIST_DIR}/statsd_fuzzer.cc
    DEPS vitals_statsd_parser
    CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/statsd)
endforeach()
target_compile_definitions(statsd_scope_fuzzer PRIVATE VITALS_STATSD_FUZZ_SCOPE=1)
if(VITALS_FUZZ)
  # Coverage feedback must reach the parser, not only the entry point.
  target_compile_options(vitals_statsd_parser PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
endif()
