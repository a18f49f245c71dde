// Conformance against suites written by others, read from
// $VITALS_SHARED_DIR/conformance/statsd (never copied into the tree; when
// absent the tests skip, or fail under CI=true: conformance_corpus.h):
// - statsd_exporter's TestLineToEvents and its dialect-disabled variants:
//   every case in the plain or DogStatsD dialect must agree, except the
//   documented policy choices in kExporterPolicy (docs/statsd.md).
// - DogStatsD's and the OTel receiver's parser tests: references for edge
//   cases, with every place we decide otherwise listed below.

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "gateway/receivers/statsd/parser.h"
#include "gtest/gtest.h"
#include "test/support/json/mini_json.h"
#include "test/unit/gateway/receivers/conformance_corpus.h"

namespace vitals::gateway {
namespace {

using testing::Json;

constexpr char kSuite[] = "statsd";

std::string ConformanceDir() {
  const std::filesystem::path dir = vitals::testing::ConformanceCorpus(kSuite);
  return dir.empty() ? std::string() : dir.string() + "/";
}

std::string Sanitize(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += ok ? c : '_';
  }
  return out;
}

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

// Records what the parser reports.
struct Recorder : StatsdSink {
  struct Metric {
    std::string name;
    double value;
    StatsdType type;
    bool signed_delta;
    double sample_rate;
    std::map<std::string, std::string> tags;
    int64_t timestamp_s;
    std::string raw_value;
  };
  std::vector<Metric> metrics;
  std::vector<std::string> rejects;

  void OnMetric(const StatsdMetric& m) override {
    Metric r{std::string(m.name), m.value, m.type,        m.signed_delta,
             m.sample_rate,       {},      m.timestamp_s, std::string(m.raw_value)};
    for (const LabelView& t : m.tags) r.tags[std::string(t.name)] = std::string(t.value);
    metrics.push_back(std::move(r));
  }
  void OnReject(size_t, std::string_view reason) override { rejects.emplace_back(reason); }
};

bool NearlyEqual(double a, double b) {
  return a == b || std::fabs(a - b) <= 1e-12 * std::max(std::fabs(a), std::fabs(b));
}

// ---------------------------------------------------------------------------
// statsd_exporter

// An event as statsd_exporter's line parser emits it.
struct Event {
  std::string type;  // counter | gauge | observer
  std::string name;
  double value = 0;
  std::map<std::string, std::string> labels;
  bool relative = false;  // gauges only
};

struct ExporterCase {
  std::string test_name;
  std::string input;
  bool dogstatsd = true;
  std::vector<Event> expected;  // empty: the line is rejected
  std::string policy;           // why we differ from upstream, if we do
};

// Where we choose otherwise (docs/statsd.md, "Where the dialects
// disagree"). Keyed by input; `events` replaces upstream's expectation.
struct Policy {
  std::string input;
  std::vector<Event> events;
  std::string why;
};

std::vector<Event> PackedTimer(const std::string& name) {
  std::vector<Event> events;
  for (double ms : {0.5, 120.0, 3000.0, 10.0, 20000.0, 0.01}) {
    events.push_back({"observer", name, ms / 1000, {}, false});
  }
  return events;
}

const std::vector<Policy>& ExporterPolicy() {
  static const auto* policy = new std::vector<Policy>{
      {"foo:1|c|@bar", {}, "a malformed sample rate rejects the line (upstream reads it as 1)"},
      {"foo:100|c|#tag:val|Tnot-a-ts", {}, "a malformed timestamp rejects the line"},
      {"foo:100|c|#tag:val|T", {}, "an empty timestamp rejects the line"},
      {"foo.test:0.5:120:3000:10:20000:0.01|ms", PackedTimer("foo.test"),
       "packed timer values are DogStatsD v1.1 whatever the name (upstream asserts nothing "
       "here and its parser emits these events too)"},
  };
  return *policy;
}

// statsd_exporter's mapper.EscapeMetricName, applied to tag names when it
// builds events. We hand tags on raw; label escaping happens downstream.
std::string EscapeLikeExporter(std::string_view name) {
  std::string out;
  if (!name.empty() && name[0] >= '0' && name[0] <= '9') out += '_';
  for (size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = name[i];
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (ok) {
      out += static_cast<char>(c);
    } else {
      out += '_';
      if (c >= 0x80) {  // one '_' per rune, as Go ranges over runes
        while (i + 1 < name.size() && (static_cast<unsigned char>(name[i + 1]) & 0xC0) == 0x80) {
          ++i;
        }
      }
    }
  }
  return out;
}

// Our output as statsd_exporter's events: timers in seconds, observations
// repeated int(1/rate) times (counters come already divided by the rate),
// no event for sets (upstream refuses them).
std::vector<Event> AsExporterEvents(const std::vector<Recorder::Metric>& metrics) {
  std::vector<Event> events;
  for (const auto& m : metrics) {
    Event e;
    e.name = m.name;
    e.value = m.value;
    for (const auto& [k, v] : m.tags) e.labels[EscapeLikeExporter(k)] = v;
    int repeat = 1;
    switch (m.type) {
      case StatsdType::kCounter:
        e.type = "counter";
        break;
      case StatsdType::kGauge:
        e.type = "gauge";
        e.relative = m.signed_delta;
        break;
      case StatsdType::kTimer:
        e.value /= 1000;
        [[fallthrough]];
      case StatsdType::kHistogram:
      case StatsdType::kDistribution:
        e.type = "observer";
        repeat = static_cast<int>(1 / m.sample_rate);
        break;
      case StatsdType::kSet:
        continue;
    }
    for (int i = 0; i < repeat; ++i) events.push_back(e);
  }
  return events;
}

// The plain and DogStatsD dialects never put tags in the name; the other
// three dialects do (librato `#k=v`, influx `,k=v`, SignalFx `[k=v]`).
bool UsesOtherDialect(std::string_view line) {
  const std::string_view name = line.substr(0, line.find(':'));
  auto tag_after = [&](char c) {
    const size_t pos = name.find(c);
    return pos != std::string_view::npos && name.find('=', pos) != std::string_view::npos;
  };
  return tag_after('#') || tag_after(',') || name.find_first_of("[]") != std::string_view::npos;
}

struct ExporterSuite {
  std::vector<ExporterCase> cases;
  std::map<std::string, int> compared_per_file;
  std::string error;
};

constexpr const char* kExporterFiles[] = {
    "TestLineToEvents",
    "TestDisableParsingDogstatsdLineToEvents",
    "TestDisableParsingInfluxdbLineToEvents",
    "TestDisableParsingLibratoLineToEvents",
    "TestDisableParsingSignalfxLineToEvents",
    "TestDisableParsingLineToEvents",
};

const ExporterSuite& LoadExporterSuite() {
  static const ExporterSuite* suite = [] {
    auto* s = new ExporterSuite;
    const std::string dir = ConformanceDir();
    if (dir.empty()) {
      s->error = "VITALS_SHARED_DIR is not set";
      return s;
    }
    for (const char* file : kExporterFiles) {
      auto doc = testing::ReadJsonFile(dir + "statsd_exporter/" + file + ".json");
      if (!doc.ok()) {
        s->error = std::string(doc.status().message());
        return s;
      }
      const Json* config = doc->Find("parser_config");
      const Json* dogstatsd = config ? config->Find("dogstatsd") : nullptr;
      const Json* cases = doc->Find("cases");
      if (dogstatsd == nullptr || cases == nullptr) {
        s->error = std::string(file) + ": no parser_config.dogstatsd or cases";
        return s;
      }
      int index = 0;
      for (const Json& c : cases->items) {
        ExporterCase ec;
        ec.input = c.Find("in_hex") ? FromHex(c.StringOr("in_hex")) : c.StringOr("in");
        ec.dogstatsd = dogstatsd->boolean;
        ec.test_name = Sanitize(std::string(file).substr(4) + "_" + std::to_string(index++) + "_" +
                                c.StringOr("name"));
        if (UsesOtherDialect(ec.input)) continue;
        if (const Json* events = c.Find("expected_events")) {
          for (const Json& e : events->items) {
            Event ev{e.StringOr("type"), e.StringOr("name"), 0, {}, false};
            if (const Json* v = e.Find("value")) ev.value = v->number;
            if (const Json* r = e.Find("relative")) ev.relative = r->boolean;
            if (const Json* labels = e.Find("labels")) {
              for (const auto& [k, v] : labels->members) ev.labels[k] = v.text;
            }
            ec.expected.push_back(std::move(ev));
          }
        }
        for (const Policy& p : ExporterPolicy()) {
          if (p.input == ec.input) {
            ec.expected = p.events;
            ec.policy = p.why;
          }
        }
        ++s->compared_per_file[file];
        s->cases.push_back(std::move(ec));
      }
    }
    return s;
  }();
  return *suite;
}

TEST(StatsdConformanceData, StatsdExporterSuiteIsPresent) {
  VITALS_REQUIRE_CONFORMANCE_CORPUS(kSuite);
  const ExporterSuite& suite = LoadExporterSuite();
  ASSERT_EQ(suite.error, "") << "the statsd_exporter conformance suite must be readable under "
                                "$VITALS_SHARED_DIR/conformance/statsd";
  // Counts pin the dialect filter: a change in what we skip must be seen.
  EXPECT_EQ(suite.compared_per_file.at("TestLineToEvents"), 62);
  for (const char* file : kExporterFiles) {
    if (std::string_view(file) != "TestLineToEvents") {
      EXPECT_EQ(suite.compared_per_file.at(file), 20) << file;
    }
  }
  int policy_cases = 0;
  for (const auto& c : suite.cases) policy_cases += !c.policy.empty();
  EXPECT_EQ(policy_cases, 3 + 2 * 6) << "every policy entry should meet its cases";
}

class StatsdExporterConformance : public ::testing::TestWithParam<ExporterCase> {};

TEST_P(StatsdExporterConformance, AgreesOnEvents) {
  const ExporterCase& c = GetParam();
  StatsdParser parser(StatsdParseOptions{.dogstatsd_tags = c.dogstatsd});
  Recorder recorder;
  parser.Parse(c.input, recorder);
  SCOPED_TRACE("input: " + c.input + (c.policy.empty() ? "" : "; our policy: " + c.policy));

  if (c.expected.empty()) {
    EXPECT_TRUE(recorder.metrics.empty());
    if (!c.input.empty()) {
      EXPECT_EQ(recorder.rejects.size(), 1u);
    }
    return;
  }
  EXPECT_TRUE(recorder.rejects.empty()) << recorder.rejects[0];
  const std::vector<Event> got = AsExporterEvents(recorder.metrics);
  ASSERT_EQ(got.size(), c.expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("event " + std::to_string(i));
    EXPECT_EQ(got[i].type, c.expected[i].type);
    EXPECT_EQ(got[i].name, c.expected[i].name);
    EXPECT_PRED2(NearlyEqual, got[i].value, c.expected[i].value);
    EXPECT_EQ(got[i].labels, c.expected[i].labels);
    if (got[i].type == "gauge") {
      EXPECT_EQ(got[i].relative, c.expected[i].relative);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(StatsdExporter, StatsdExporterConformance,
                         ::testing::ValuesIn(LoadExporterSuite().cases),
                         [](const auto& info) { return info.param.test_name; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StatsdExporterConformance);

// ---------------------------------------------------------------------------
// References: DogStatsD (datadog-agent) and the OTel Collector's receiver.

struct ReferenceCase {
  std::string test_name;
  const Json* json = nullptr;  // the case, owned by the loaded document
  std::string deviation;       // why our verdict differs, if it does
};

struct ReferenceSuite {
  Json dogstatsd;
  Json otel;
  std::vector<ReferenceCase> dogstatsd_cases;
  std::vector<ReferenceCase> otel_cases;
  std::string error;
};

// Inputs where we decide otherwise than the reference (docs/statsd.md).
const std::map<std::string, std::string>& DogStatsdDeviations() {
  static const auto* d = new std::map<std::string, std::string>{
      {"daemon:666:777|g", "packed values only for ms/h/d, as statsd_exporter"},
      {"daemon:666:777|c", "packed values only for ms/h/d, as statsd_exporter"},
      {"daemon:666|g|m:test", "unknown fields reject the line, as statsd_exporter"},
      {"example.metric:2.39283|d|T1657100540|@1.000000|#environment:dev|c:"
       "2a25f7fc8fbf573d62053d7263dd2d440c07b6ab4d2b107e50b0d4df1f2ee15f|f:wowthisisacoolfeature",
       "unknown fields reject the line, as statsd_exporter"},
      {"example.metric:2.39283|d|T1657100540|@1.000000|#environment:dev|c:"
       "2a25f7fc8fbf573d62053d7263dd2d440c07b6ab4d2b107e50b0d4df1f2ee15f|f:wowthisisacoolfeature|"
       "f2:omgthisoneiscooler",
       "unknown fields reject the line, as statsd_exporter"},
  };
  return *d;
}

const std::map<std::string, std::string>& OtelDeviations() {
  static const auto* d = new std::map<std::string, std::string>{
      {"test.metric:42|c|#key1", "a valueless tag is dropped, the line kept (statsd_exporter)"},
  };
  return *d;
}

const ReferenceSuite& LoadReferenceSuite() {
  static const ReferenceSuite* suite = [] {
    auto* s = new ReferenceSuite;
    const std::string dir = ConformanceDir();
    if (dir.empty()) {
      s->error = "VITALS_SHARED_DIR is not set";
      return s;
    }
    auto dog = testing::ReadJsonFile(dir + "dogstatsd/parse_metrics.json");
    auto otel = testing::ReadJsonFile(dir + "otel_statsdreceiver/parser.json");
    if (!dog.ok() || !otel.ok()) {
      s->error = std::string(dog.ok() ? otel.status().message() : dog.status().message());
      return s;
    }
    s->dogstatsd = *std::move(dog);
    s->otel = *std::move(otel);
    const Json* dog_cases = s->dogstatsd.Find("cases");
    const Json* otel_cases = s->otel.Find("parse_cases");
    if (dog_cases == nullptr || otel_cases == nullptr) {
      s->error = "reference files lack cases/parse_cases";
      return s;
    }
    int i = 0;
    for (const Json& c : dog_cases->items) {
      ReferenceCase rc{Sanitize("dogstatsd_" + std::to_string(i++) + "_" + c.StringOr("in")), &c,
                       ""};
      if (auto it = DogStatsdDeviations().find(c.StringOr("in"));
          it != DogStatsdDeviations().end()) {
        rc.deviation = it->second;
      }
      s->dogstatsd_cases.push_back(rc);
    }
    i = 0;
    for (const Json& c : otel_cases->items) {
      ReferenceCase rc{Sanitize("otel_" + std::to_string(i++) + "_" + c.StringOr("in")), &c, ""};
      if (auto it = OtelDeviations().find(c.StringOr("in")); it != OtelDeviations().end()) {
        rc.deviation = it->second;
      }
      s->otel_cases.push_back(rc);
    }
    return s;
  }();
  return *suite;
}

TEST(StatsdConformanceData, ReferenceSuitesArePresent) {
  VITALS_REQUIRE_CONFORMANCE_CORPUS(kSuite);
  const ReferenceSuite& suite = LoadReferenceSuite();
  ASSERT_EQ(suite.error, "");
  EXPECT_EQ(suite.dogstatsd_cases.size(), 42u);
  EXPECT_EQ(suite.otel_cases.size(), 25u);
}

std::string DogStatsdTypeName(StatsdType t) {
  switch (t) {
    case StatsdType::kGauge:
      return "gauge";
    case StatsdType::kCounter:
      return "count";
    case StatsdType::kTimer:
      return "timing";
    case StatsdType::kHistogram:
      return "histogram";
    case StatsdType::kDistribution:
      return "distribution";
    case StatsdType::kSet:
      return "set";
  }
  return "";
}

class DogStatsdReference : public ::testing::TestWithParam<ReferenceCase> {};

TEST_P(DogStatsdReference, AgreesUnlessDocumented) {
  const Json& c = *GetParam().json;
  const std::string input = c.StringOr("in");
  SCOPED_TRACE("input: " + input);
  StatsdParser parser;
  Recorder recorder;
  parser.Parse(input, recorder);

  const bool reference_accepts = c.StringOr("expect") == "ok";
  if (!GetParam().deviation.empty()) {
    // Every deviation is a rejection of something DogStatsD accepts.
    EXPECT_TRUE(reference_accepts);
    EXPECT_EQ(recorder.rejects.size(), 1u) << GetParam().deviation;
    return;
  }
  if (!reference_accepts) {
    EXPECT_EQ(recorder.rejects.size(), 1u) << c.StringOr("why");
    EXPECT_TRUE(recorder.metrics.empty());
    return;
  }
  ASSERT_TRUE(recorder.rejects.empty()) << recorder.rejects[0];
  const Json& f = *c.Find("fields");
  std::vector<double> values;
  if (const Json* v = f.Find("value")) values.push_back(v->number);
  if (const Json* vs = f.Find("values")) {
    for (const Json& v : vs->items) values.push_back(v.number);
  }
  const bool is_set = f.StringOr("type") == "set";
  ASSERT_EQ(recorder.metrics.size(), is_set ? 1u : values.size());
  for (size_t i = 0; i < recorder.metrics.size(); ++i) {
    const auto& m = recorder.metrics[i];
    EXPECT_EQ(m.name, f.StringOr("name"));
    EXPECT_EQ(DogStatsdTypeName(m.type), f.StringOr("type"));
    if (is_set) {
      EXPECT_EQ(m.raw_value, f.StringOr("set_value"));
    } else {
      EXPECT_PRED2(NearlyEqual, m.value, values[i]);  // counters here are unsampled
    }
    if (const Json* rate = f.Find("sample_rate")) {
      EXPECT_PRED2(NearlyEqual, m.sample_rate, rate->number);
    }
    if (const Json* ts = f.Find("ts")) {
      EXPECT_EQ(m.timestamp_s, static_cast<int64_t>(ts->number));
    }
    std::map<std::string, std::string> want;
    if (const Json* tags = f.Find("tags")) {
      for (const Json& t : tags->items) {
        const size_t colon = t.text.find(':');
        // DogStatsD keeps a bare tag; we drop it (docs/statsd.md).
        if (colon != std::string::npos) want[t.text.substr(0, colon)] = t.text.substr(colon + 1);
      }
    }
    const std::string container = f.StringOr("container_id");
    if (!container.empty()) want["container_id"] = container;
    // The reference does not always assert the container id.
    std::map<std::string, std::string> got = m.tags;
    if (container.empty()) got.erase("container_id");
    if (f.Find("tags") != nullptr || !container.empty()) {
      EXPECT_EQ(got, want);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(DogStatsd, DogStatsdReference,
                         ::testing::ValuesIn(LoadReferenceSuite().dogstatsd_cases),
                         [](const auto& info) { return info.param.test_name; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DogStatsdReference);

class OtelReference : public ::testing::TestWithParam<ReferenceCase> {};

TEST_P(OtelReference, AgreesUnlessDocumented) {
  const Json& c = *GetParam().json;
  const std::string input = c.StringOr("in");
  SCOPED_TRACE("input: " + input);
  StatsdParser parser;
  Recorder recorder;
  parser.Parse(input, recorder);

  if (!GetParam().deviation.empty()) {
    EXPECT_EQ(c.StringOr("expect"), "error");
    EXPECT_TRUE(recorder.rejects.empty()) << GetParam().deviation;
    EXPECT_EQ(recorder.metrics.size(), 1u);
    return;
  }
  if (c.StringOr("expect") == "error") {
    // The OTel receiver rejects the empty message; for us it holds no line.
    if (!input.empty()) {
      EXPECT_EQ(recorder.rejects.size(), 1u) << c.StringOr("error");
    }
    EXPECT_TRUE(recorder.metrics.empty());
    return;
  }
  ASSERT_TRUE(recorder.rejects.empty()) << recorder.rejects[0];
  ASSERT_EQ(recorder.metrics.size(), 1u);
  const auto& m = recorder.metrics[0];
  EXPECT_EQ(m.name, c.StringOr("name"));
  double want = c.Find("value")->number;
  if (m.type == StatsdType::kCounter) {
    // OTel truncates value/rate to an integer (42@0.8 -> 52); we keep the
    // double (52.5), as statsd_exporter does.
    EXPECT_EQ(std::trunc(m.value), want);
    want = m.value;
  }
  EXPECT_PRED2(NearlyEqual, m.value, want);
  const double otel_rate = c.Find("sample_rate")->number;  // 0 when not given
  EXPECT_PRED2(NearlyEqual, m.sample_rate, otel_rate == 0 ? 1 : otel_rate);
  if (m.type == StatsdType::kGauge) {
    EXPECT_EQ(m.signed_delta, c.Find("relative_sign")->boolean);
  }
  std::map<std::string, std::string> want_labels;
  for (const auto& [k, v] : c.Find("labels")->members) want_labels[k] = v.text;
  EXPECT_EQ(m.tags, want_labels);
}

INSTANTIATE_TEST_SUITE_P(Otel, OtelReference, ::testing::ValuesIn(LoadReferenceSuite().otel_cases),
                         [](const auto& info) { return info.param.test_name; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OtelReference);

// The OTel aggregation cases pin down what signed_delta means to a
// consumer: an unsigned gauge value resets, a signed one adds; counters sum
// value/rate.
TEST(OtelReference, AggregateCasesAgreeWithDeltaSemantics) {
  VITALS_REQUIRE_CONFORMANCE_CORPUS(kSuite);
  const ReferenceSuite& suite = LoadReferenceSuite();
  ASSERT_EQ(suite.error, "");
  const Json* cases = suite.otel.Find("aggregate_cases");
  ASSERT_NE(cases, nullptr);
  int checked = 0;
  for (const Json& c : cases->items) {
    SCOPED_TRACE(c.StringOr("name"));
    StatsdParser parser;
    Recorder recorder;
    for (const Json& line : c.Find("lines")->items) parser.Parse(line.text, recorder);
    if (c.Find("error") != nullptr) {
      EXPECT_EQ(recorder.rejects.size(), 1u);
      continue;
    }
    using Key = std::pair<std::string, std::map<std::string, std::string>>;
    std::map<Key, double> gauges, counters;
    for (const auto& m : recorder.metrics) {
      const Key key{m.name, m.tags};
      if (m.type == StatsdType::kGauge) {
        gauges[key] = m.signed_delta ? gauges[key] + m.value : m.value;
      } else if (m.type == StatsdType::kCounter) {
        counters[key] += m.value;
      }
    }
    auto expect = [](const Json* want, const std::map<Key, double>& got) {
      ASSERT_NE(want, nullptr);
      ASSERT_EQ(want->items.size(), got.size());
      for (const Json& w : want->items) {
        std::map<std::string, std::string> labels;
        for (const auto& [k, v] : w.items[1].members) labels[k] = v.text;
        auto it = got.find(Key{w.items[0].text, labels});
        ASSERT_NE(it, got.end()) << w.items[0].text;
        EXPECT_PRED2(NearlyEqual, it->second, w.items[2].number);
      }
    };
    expect(c.Find("gauges"), gauges);
    expect(c.Find("counters"), counters);
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

}  // namespace
}  // namespace vitals::gateway
