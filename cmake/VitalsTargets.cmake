# Small wrappers so that every target gets the same warnings and include root.

set(VITALS_WARNINGS -Wall -Wextra -Wno-unused-parameter)
# Clang checks the abseil lock annotations (ABSL_GUARDED_BY and friends);
# GCC ignores them. scripts/lint passes the same flag to clang-tidy, which
# reads GCC's compile commands.
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND VITALS_WARNINGS -Wthread-safety)
endif()

# vitals_library(NAME SOURCES ... DEPS ...)
function(vitals_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/proto)
  target_compile_options(${name} PRIVATE ${VITALS_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# vitals_test(NAME SOURCES ... DEPS ... [LABELS ...] [TIMEOUT s])
# One GoogleTest binary per module, registered as one ctest entry so that
# the suite stays cheap to enumerate.
function(vitals_test name)
  cmake_parse_arguments(ARG "RUNS_VITALS" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  # A test that starts the binary must bring it into any build of the test,
  # the sanitizer tree's `unit_tests` included.
  if(ARG_RUNS_VITALS)
    add_dependencies(${name} vitals)
  endif()
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${VITALS_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name})
  set(env "VITALS_SHARED_DIR=${VITALS_SHARED_DIR};VITALS_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  if(TARGET vitals)
    list(APPEND env "VITALS_BINARY=$<TARGET_FILE:vitals>")
  endif()
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${env}")
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
    if("unit" IN_LIST ARG_LABELS)
      set_property(GLOBAL APPEND PROPERTY VITALS_UNIT_TESTS ${name})
    endif()
  endif()
  if(ARG_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  endif()
endfunction()

# vitals_fuzzer(NAME SOURCE file DEPS ... CORPUS dir)
# With VITALS_FUZZ (clang) it is a libFuzzer binary; otherwise the same
# entry point is linked with a replayer main and its corpus runs in ctest.
function(vitals_fuzzer name)
  cmake_parse_arguments(ARG "" "SOURCE;CORPUS" "DEPS" ${ARGN})
  if(VITALS_FUZZ)
    add_executable(${name} ${ARG_SOURCE})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  else()
    add_executable(${name} ${ARG_SOURCE} ${PROJECT_SOURCE_DIR}/test/fuzz/replay_main.cc)
  endif()
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  set_property(GLOBAL APPEND PROPERTY VITALS_FUZZERS ${name})
  if(NOT VITALS_FUZZ)
    add_test(NAME ${name}_corpus COMMAND ${name} ${ARG_CORPUS})
    set_tests_properties(${name}_corpus PROPERTIES LABELS "fuzz")
  endif()
endfunction()

# vitals_benchmark(NAME SOURCES ... DEPS ...): labelled "bench"; ctest runs it
# as a smoke run only (-L bench), the default run excludes it.
function(vitals_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/bench/bench_main.cc)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark absl::synchronization)
  add_test(NAME ${name}_smoke COMMAND ${name} --benchmark_min_time=0.01)
  set_tests_properties(${name}_smoke PROPERTIES LABELS "bench")
endfunction()
