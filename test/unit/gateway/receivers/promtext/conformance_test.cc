// The conformance suites in $VITALS_SHARED_DIR/conformance, one gtest case
// per suite case:
//  - openmetrics/: as OpenMetrics every verdict matches test.json's
//    shouldParse; as text 0.0.4 every `both_valid` case in INDEX.tsv parses
//    and every `both_invalid` case fails.
//  - promtext/prometheus_common_expfmt/: as 0.0.4 every verdict matches, and
//    each valid case yields exactly the samples of expected_families.json.
// Without the corpora the tests skip, or fail under CI=true
// (conformance_corpus.h); a corpus folder without its cases fails.

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gateway/receivers/promtext/parser.h"
#include "gtest/gtest.h"
#include "test/support/json/mini_json.h"
#include "test/unit/gateway/receivers/conformance_corpus.h"
#include "test/unit/gateway/receivers/promtext/recording_sink.h"

namespace vitals::gateway {
namespace {

namespace fs = std::filesystem;
using testing::RecordedSample;
using testing::RecordingSink;
using vitals::testing::Json;

fs::path ConformanceDir() { return vitals::testing::ConformanceCorpus(""); }

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::optional<bool> ShouldParse(const fs::path& case_dir) {
  const absl::StatusOr<Json> json = Json::Parse(ReadFile(case_dir / "test.json"));
  if (!json.ok()) return std::nullopt;
  const Json* should = json->Find("shouldParse");
  if (should == nullptr || should->kind != Json::Kind::kBool) return std::nullopt;
  return should->boolean;
}

struct SuiteCase {
  std::string name;
  std::string index_class;  // openmetrics/INDEX.tsv's class column
};

std::ostream& operator<<(std::ostream& os, const SuiteCase& c) { return os << c.name; }

std::string CaseName(const ::testing::TestParamInfo<SuiteCase>& info) { return info.param.name; }

// Cases listed in openmetrics/INDEX.tsv whose class passes `keep`; none
// without the corpus (ArePresent says why).
template <typename Keep>
std::vector<SuiteCase> OpenMetricsCases(Keep keep) {
  if (ConformanceDir().empty()) return {};
  std::ifstream in(ConformanceDir() / "openmetrics" / "INDEX.tsv");
  std::vector<SuiteCase> cases;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    SuiteCase c;
    std::string verdict;
    if (!std::getline(fields, c.name, '\t') || !std::getline(fields, verdict, '\t') ||
        !std::getline(fields, c.index_class, '\t')) {
      continue;
    }
    if (keep(c.index_class)) cases.push_back(std::move(c));
  }
  return cases;
}

std::vector<SuiteCase> ExpfmtCases() {
  std::vector<SuiteCase> cases;
  if (ConformanceDir().empty()) return cases;
  const fs::path dir = ConformanceDir() / "promtext" / "prometheus_common_expfmt";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory()) cases.push_back({entry.path().filename().string(), ""});
  }
  std::sort(cases.begin(), cases.end(),
            [](const SuiteCase& a, const SuiteCase& b) { return a.name < b.name; });
  return cases;
}

absl::Status ParseFile(const fs::path& file, TextFormat format, RecordingSink& sink) {
  PromTextParser parser(format);
  return parser.Parse(ReadFile(file), sink);
}

// The only test that runs without the corpora: the parameterized ones then
// have no cases.
TEST(ConformanceSuites, ArePresent) {
  VITALS_REQUIRE_CONFORMANCE_CORPUS("openmetrics");
  VITALS_REQUIRE_CONFORMANCE_CORPUS("promtext");
  ASSERT_TRUE(fs::is_directory(ConformanceDir() / "openmetrics")) << ConformanceDir();
  ASSERT_TRUE(fs::is_directory(ConformanceDir() / "promtext" / "prometheus_common_expfmt"));
  EXPECT_EQ(OpenMetricsCases([](const std::string&) { return true; }).size(), 211u);
  EXPECT_EQ(ExpfmtCases().size(), 66u);
}

// --- openmetrics/ -----------------------------------------------------------

class OpenMetricsAsOpenMetrics : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(OpenMetricsAsOpenMetrics, VerdictMatchesShouldParse) {
  const fs::path dir = ConformanceDir() / "openmetrics" / GetParam().name;
  const std::optional<bool> should_parse = ShouldParse(dir);
  ASSERT_TRUE(should_parse.has_value()) << "unreadable " << dir / "test.json";
  RecordingSink sink;
  const absl::Status status = ParseFile(dir / "metrics", TextFormat::kOpenMetrics100, sink);
  EXPECT_EQ(status.ok(), *should_parse) << status << "\n" << ReadFile(dir / "metrics");
}

INSTANTIATE_TEST_SUITE_P(
    Conformance, OpenMetricsAsOpenMetrics,
    ::testing::ValuesIn(OpenMetricsCases([](const std::string&) { return true; })), CaseName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OpenMetricsAsOpenMetrics);

class OpenMetricsAsText004 : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(OpenMetricsAsText004, AgreesWhereBothFormatsAgree) {
  const fs::path dir = ConformanceDir() / "openmetrics" / GetParam().name;
  RecordingSink sink;
  const absl::Status status = ParseFile(dir / "metrics", TextFormat::kPrometheus004, sink);
  EXPECT_EQ(status.ok(), GetParam().index_class == "both_valid") << status << "\n"
                                                                 << ReadFile(dir / "metrics");
}

INSTANTIATE_TEST_SUITE_P(Conformance, OpenMetricsAsText004,
                         ::testing::ValuesIn(OpenMetricsCases([](const std::string& c) {
                           return c == "both_valid" || c == "both_invalid";
                         })),
                         CaseName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OpenMetricsAsText004);

// --- promtext/prometheus_common_expfmt/ --------------------------------------

// expfmt's view of a body: families of metrics, where a summary's or a
// histogram's samples with one label set (bar quantile/le) fold into one
// metric and the last timestamp given wins.
struct Metric {
  std::vector<std::pair<std::string, std::string>> labels;
  std::optional<int64_t> timestamp_ms;
  std::optional<double> value;  // counter, gauge, untyped
  std::vector<std::pair<double, double>> quantiles;
  std::vector<std::pair<double, double>> buckets;  // upper bound, cumulative count
  std::optional<double> count;
  std::optional<double> sum;
};

struct Family {
  std::string type;
  std::vector<Metric> metrics;
};

using Families = std::map<std::string, Family>;

std::string TypeName(SampleType type) {
  switch (type) {
    case SampleType::kCounter:
      return "COUNTER";
    case SampleType::kGauge:
      return "GAUGE";
    case SampleType::kSummary:
      return "SUMMARY";
    case SampleType::kHistogram:
      return "HISTOGRAM";
    case SampleType::kGaugeHistogram:
      return "GAUGE_HISTOGRAM";
    case SampleType::kUntyped:
      return "UNTYPED";
    default:
      return "OTHER";
  }
}

Families FromSamples(const std::vector<RecordedSample>& samples) {
  Families out;
  std::map<std::string, size_t> folded;  // family + sorted labels -> metric index
  for (const RecordedSample& s : samples) {
    Family& family = out[s.family];
    family.type = TypeName(s.type);
    const bool summary = s.type == SampleType::kSummary;
    const bool histogram =
        s.type == SampleType::kHistogram || s.type == SampleType::kGaugeHistogram;
    if (!summary && !histogram) {
      Metric& m = family.metrics.emplace_back();
      m.labels = s.labels;
      m.value = s.value;
      if (s.has_timestamp) m.timestamp_ms = s.timestamp_ms;
      continue;
    }
    const std::string special = summary ? "quantile" : "le";
    std::vector<std::pair<std::string, std::string>> labels;
    for (const auto& l : s.labels) {
      if (l.first != special) labels.push_back(l);
    }
    auto sorted = labels;
    std::sort(sorted.begin(), sorted.end());
    std::string key = s.family;
    for (const auto& [n, v] : sorted) absl::StrAppend(&key, "\x01", n, "\x02", v);
    auto [it, fresh] = folded.emplace(key, family.metrics.size());
    if (fresh) family.metrics.emplace_back().labels = labels;
    Metric& m = family.metrics[it->second];
    const std::string suffix = s.name.substr(s.family.size());
    if (suffix == "_count") {
      m.count = s.value;
    } else if (suffix == "_sum") {
      m.sum = s.value;
    } else if (const std::string* bound = s.Label(special)) {
      (summary ? m.quantiles : m.buckets)
          .emplace_back(std::strtod(bound->c_str(), nullptr), s.value);
    }
    if (s.has_timestamp) m.timestamp_ms = s.timestamp_ms;
  }
  return out;
}

// Numbers in expected_families.json: JSON numbers, or "NaN" / "-Inf".
double JsonNumber(const Json& j) {
  if (j.kind == Json::Kind::kNumber) return j.number;
  if (j.text == "NaN") return std::nan("");
  if (j.text == "-Inf") return -INFINITY;
  if (j.text == "+Inf" || j.text == "Inf") return INFINITY;
  ADD_FAILURE() << "unexpected number " << j.text;
  return 0;
}

std::optional<double> JsonNumberField(const Json& object, const std::string& a,
                                      const std::string& b = "") {
  if (const Json* f = object.Find(a)) return JsonNumber(*f);
  if (!b.empty()) {
    if (const Json* f = object.Find(b)) return JsonNumber(*f);
  }
  return std::nullopt;
}

Families FromExpected(const Json& json) {
  Families out;
  for (const Json& f : json.items) {
    Family& family = out[f.Find("Name")->text];
    family.type = f.Find("Type")->text;
    const Json* metrics = f.Find("Metric");
    if (metrics == nullptr) continue;
    for (const Json& jm : metrics->items) {
      Metric& m = family.metrics.emplace_back();
      if (const Json* labels = jm.Find("Label")) {
        for (const Json& l : labels->items) {
          m.labels.emplace_back(l.Find("Name")->text, l.Find("Value")->text);
        }
      }
      if (const Json* ts = jm.Find("TimestampMs")) m.timestamp_ms = std::stoll(ts->text);
      for (const char* simple : {"Counter", "Gauge", "Untyped"}) {
        if (const Json* v = jm.Find(simple)) m.value = JsonNumberField(*v, "Value");
      }
      if (const Json* summary = jm.Find("Summary")) {
        if (const Json* qs = summary->Find("Quantile")) {
          for (const Json& q : qs->items) {
            m.quantiles.emplace_back(*JsonNumberField(q, "Quantile"), *JsonNumberField(q, "Value"));
          }
        }
        m.count = JsonNumberField(*summary, "SampleCount", "SampleCountFloat");
        m.sum = JsonNumberField(*summary, "SampleSum");
      }
      if (const Json* histogram = jm.Find("Histogram")) {
        if (const Json* bs = histogram->Find("Bucket")) {
          for (const Json& b : bs->items) {
            m.buckets.emplace_back(*JsonNumberField(b, "UpperBound"),
                                   *JsonNumberField(b, "CumulativeCount", "CumulativeCountFloat"));
          }
        }
        m.count = JsonNumberField(*histogram, "SampleCount", "SampleCountFloat");
        m.sum = JsonNumberField(*histogram, "SampleSum");
      }
    }
  }
  return out;
}

// The suite's JSON writes every infinity as "-Inf" (its +Inf values too), so
// only "is infinite" can be compared here; parser_test.cc checks the signs.
bool SameNumber(double expected, double actual) {
  if (std::isnan(expected)) return std::isnan(actual);
  if (std::isinf(expected)) return std::isinf(actual);
  return expected == actual;
}

void ExpectSameNumber(const std::optional<double>& expected, const std::optional<double>& actual,
                      const char* what) {
  ASSERT_EQ(expected.has_value(), actual.has_value()) << what;
  if (expected) {
    EXPECT_TRUE(SameNumber(*expected, *actual)) << what << ": " << *expected << " vs " << *actual;
  }
}

void ExpectSamePairs(const std::vector<std::pair<double, double>>& expected,
                     const std::vector<std::pair<double, double>>& actual, const char* what) {
  ASSERT_EQ(expected.size(), actual.size()) << what;
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_TRUE(SameNumber(expected[i].first, actual[i].first)) << what << "[" << i << "]";
    EXPECT_TRUE(SameNumber(expected[i].second, actual[i].second)) << what << "[" << i << "]";
  }
}

void ExpectSameFamilies(const Families& expected, const Families& actual) {
  std::vector<std::string> expected_names, actual_names;
  for (const auto& [name, f] : expected) expected_names.push_back(name);
  for (const auto& [name, f] : actual) actual_names.push_back(name);
  ASSERT_EQ(expected_names, actual_names);
  for (const auto& [name, want] : expected) {
    SCOPED_TRACE("family " + name);
    const Family& got = actual.at(name);
    EXPECT_EQ(want.type, got.type);
    ASSERT_EQ(want.metrics.size(), got.metrics.size());
    for (size_t i = 0; i < want.metrics.size(); ++i) {
      SCOPED_TRACE("metric " + std::to_string(i));
      const Metric& w = want.metrics[i];
      const Metric& g = got.metrics[i];
      EXPECT_EQ(w.labels, g.labels);
      EXPECT_EQ(w.timestamp_ms, g.timestamp_ms);
      ExpectSameNumber(w.value, g.value, "value");
      ExpectSamePairs(w.quantiles, g.quantiles, "quantiles");
      ExpectSamePairs(w.buckets, g.buckets, "buckets");
      ExpectSameNumber(w.count, g.count, "count");
      ExpectSameNumber(w.sum, g.sum, "sum");
    }
  }
}

class ExpfmtConformance : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(ExpfmtConformance, MatchesExpfmt) {
  const fs::path dir = ConformanceDir() / "promtext" / "prometheus_common_expfmt" / GetParam().name;
  const std::optional<bool> should_parse = ShouldParse(dir);
  ASSERT_TRUE(should_parse.has_value()) << "unreadable " << dir / "test.json";
  RecordingSink sink;
  const absl::Status status = ParseFile(dir / "metrics", TextFormat::kPrometheus004, sink);
  ASSERT_EQ(status.ok(), *should_parse) << status << "\n" << ReadFile(dir / "metrics");
  if (!*should_parse) return;
  const absl::StatusOr<Json> expected = Json::Parse(ReadFile(dir / "expected_families.json"));
  ASSERT_TRUE(expected.ok()) << "unreadable expected_families.json: " << expected.status();
  ExpectSameFamilies(FromExpected(*expected), FromSamples(sink.samples));
}

INSTANTIATE_TEST_SUITE_P(Conformance, ExpfmtConformance, ::testing::ValuesIn(ExpfmtCases()),
                         CaseName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ExpfmtConformance);

}  // namespace
}  // namespace vitals::gateway
