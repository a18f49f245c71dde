# `vitals --version` and vitals_build_info: the project() VERSION and the git
# revision of the checkout, read at every build (HEAD moves without a
# reconfigure). Only common/version/version.cc includes the generated header, and the
# header is rewritten only when the revision changes, so a new commit
# recompiles one small file and relinks.

set(VITALS_REVISION_HEADER "${PROJECT_BINARY_DIR}/generated/vitals_revision.h")

add_custom_target(vitals_revision
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} -DOUTPUT=${VITALS_REVISION_HEADER}
          -P ${PROJECT_SOURCE_DIR}/cmake/WriteRevision.cmake
  BYPRODUCTS ${VITALS_REVISION_HEADER}
  COMMENT "Reading the git revision"
  VERBATIM)
