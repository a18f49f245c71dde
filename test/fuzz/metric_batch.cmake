# The scorer's MetricBatch decoder (scorer/window/batch_decoder.cc) against
# protobuf's own parser. The fuzz tree (VITALS_FUZZ_ONLY) has no protobuf
# otherwise: it finds it and builds the generated code here.
if(NOT TARGET vitals_proto)
  find_package(Protobuf REQUIRED)
  add_subdirectory(${PROJECT_SOURCE_DIR}/proto ${CMAKE_BINARY_DIR}/proto)
endif()
vitals_fuzzer(metric_batch_fuzzer
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/metric_batch_fuzzer.cc
  DEPS vitals_proto
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/metric_batch)
# The decoder alone (not the scorer's window library), instrumented with
# the target in the fuzz tree.
target_sources(metric_batch_fuzzer PRIVATE ${PROJECT_SOURCE_DIR}/scorer/window/batch_decoder.cc)
