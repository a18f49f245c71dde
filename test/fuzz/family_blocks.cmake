# How the Pushgateway receiver holds pushed lines (gateway/receivers/pushgateway).
vitals_fuzzer(family_blocks_fuzzer
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/family_blocks_fuzzer.cc
  DEPS vitals_family_blocks
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/family_blocks)
