# cmake -DBINARY=<conformance test> -DEMPTY_DIR=<scratch dir> -P conformance_gate.cmake
#
# A fresh clone has no shared/conformance: its conformance binary must pass
# with its tests skipped and one line saying where the corpora come from,
# unless CI=true, where it must fail (CI runs every suite or fails).
cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE "${EMPTY_DIR}")
file(MAKE_DIRECTORY "${EMPTY_DIR}")

function(run_binary ci shared out_rc out_text)
  if(ci STREQUAL "")
    unset(ENV{CI})
  else()
    set(ENV{CI} "${ci}")
  endif()
  if(shared STREQUAL "")
    unset(ENV{VITALS_SHARED_DIR})
  else()
    set(ENV{VITALS_SHARED_DIR} "${shared}")
  endif()
  execute_process(COMMAND "${BINARY}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  set(${out_rc} "${rc}" PARENT_SCOPE)
  set(${out_text} "${out}" PARENT_SCOPE)
endfunction()

set(failures "")

# Without CI: passes, says why it skipped and how to provide the corpora.
foreach(shared "${EMPTY_DIR}" "")
  run_binary("" "${shared}" rc out)
  if(NOT rc EQUAL 0)
    string(APPEND failures "without CI (VITALS_SHARED_DIR='${shared}'): exit ${rc}, want 0\n")
  endif()
  if(NOT out MATCHES "conformance suites skipped: [^\n]*shared/conformance[^\n]*VITALS_SHARED_DIR")
    string(APPEND failures "without CI (VITALS_SHARED_DIR='${shared}'): no skip line naming "
                           "shared/conformance and VITALS_SHARED_DIR\n")
  endif()
  if(out MATCHES "\\[  FAILED  \\]")
    string(APPEND failures "without CI (VITALS_SHARED_DIR='${shared}'): a test failed\n")
  endif()
endforeach()

# CI=true: fails, and never in words CTest would read as a skip.
run_binary("true" "${EMPTY_DIR}" rc out)
if(rc EQUAL 0)
  string(APPEND failures "CI=true: exit 0, want a failure\n")
endif()
if(out MATCHES "conformance suites skipped" OR out MATCHES "\\[  SKIPPED \\]")
  string(APPEND failures "CI=true: reported as skipped\n")
endif()
if(NOT out MATCHES "failing because CI=true")
  string(APPEND failures "CI=true: no line saying why it fails\n")
endif()

file(REMOVE_RECURSE "${EMPTY_DIR}")
if(NOT failures STREQUAL "")
  message(FATAL_ERROR "${BINARY}:\n${failures}\nlast output:\n${out}")
endif()
message(STATUS "${BINARY}: skips without the corpora, fails without them under CI=true")
