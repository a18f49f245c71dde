# vitals_conformance_test(NAME SOURCES ... DEPS ...): the binary of a
# conformance suite read from $VITALS_SHARED_DIR/conformance
# (conformance_corpus.h). Without the corpora CTest reports it Skipped
# rather than Passed, so that a run that checked nothing says so; NAME_gate
# proves the skip, and the failure under CI=true, against an empty folder.
function(vitals_conformance_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  vitals_test(${name} SOURCES ${ARG_SOURCES} DEPS ${ARG_DEPS} LABELS unit conformance)
  # Matches only the skip: the CI=true failure words it otherwise.
  set_tests_properties(${name} PROPERTIES SKIP_REGULAR_EXPRESSION "conformance suites skipped")
  add_test(NAME ${name}_gate
           COMMAND ${CMAKE_COMMAND} -DBINARY=$<TARGET_FILE:${name}>
                   -DEMPTY_DIR=${CMAKE_CURRENT_BINARY_DIR}/${name}_gate_shared
                   -P ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/conformance_gate.cmake)
  set_tests_properties(${name}_gate PROPERTIES LABELS "unit;conformance")
endfunction()
