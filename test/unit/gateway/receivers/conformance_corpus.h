#pragma once

// The conformance corpora are suites written by others (statsd_exporter,
// DogStatsD, the OTel receiver, OpenMetrics, expfmt, line-protocol-corpus),
// kept in shared/conformance beside the checkout and never copied into it.
// A fresh clone has no such folder: its conformance tests skip, saying once
// where the corpora come from, so that `scripts/test` passes. Under CI=true
// a missing corpus fails instead, so CI can never silently stop running a
// suite.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace vitals::testing {

// $VITALS_SHARED_DIR/conformance/<suite>; empty when VITALS_SHARED_DIR is
// not set (ctest always sets it, a bare run of the binary may not).
inline std::filesystem::path ConformanceCorpus(std::string_view suite) {
  const char* shared = std::getenv("VITALS_SHARED_DIR");
  if (shared == nullptr || *shared == '\0') return {};
  return std::filesystem::path(shared) / "conformance" / suite;
}

inline bool MissingCorpusFails() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

// Empty when the corpus folder of `suite` exists. Otherwise one line: what
// is missing, where the corpora come from and how to provide them. The
// whole line is given once per process; a binary with several suites (or
// several tests of one) would otherwise repeat it for every test.
inline std::string MissingCorpus(std::string_view suite) {
  const std::filesystem::path dir = ConformanceCorpus(suite);
  std::error_code ec;
  if (!dir.empty() && std::filesystem::is_directory(dir, ec)) return {};
  // CTest's SKIP_REGULAR_EXPRESSION keys on the first words: a failure
  // (CI=true) must never read as a skip.
  const std::string verdict = MissingCorpusFails()
                                  ? "conformance corpus missing, failing because CI=true"
                                  : "conformance suites skipped";
  static bool explained = false;
  if (explained) return verdict + " (why: see above)";
  explained = true;
  const std::string where = dir.empty()
                                ? std::string("VITALS_SHARED_DIR is not set (ctest sets it)")
                                : "no folder " + dir.string();
  return verdict + ": " + where +
         "; the corpora are the shared/conformance folder kept beside the checkout (../shared), "
         "never copied into it: put a copy there, or configure with cmake "
         "-DVITALS_SHARED_DIR=DIR naming the folder that holds conformance/";
}

}  // namespace vitals::testing

// Ends the current test when the corpus of `suite` is absent: skipped, or
// failed under CI=true.
#define VITALS_REQUIRE_CONFORMANCE_CORPUS(suite)                                       \
  do {                                                                                 \
    const std::string vitals_missing_corpus = ::vitals::testing::MissingCorpus(suite); \
    if (vitals_missing_corpus.empty()) break;                                          \
    if (::vitals::testing::MissingCorpusFails()) {                                     \
      FAIL() << vitals_missing_corpus;                                                 \
    }                                                                                  \
    GTEST_SKIP() << vitals_missing_corpus;                                             \
  } while (false)
