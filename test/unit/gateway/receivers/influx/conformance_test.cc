// Runs influxdata/line-protocol-corpus (shared/conformance/influx/decode.jsonl)
// through the parser: every `ok` case must decode to exactly the expected
// points, every `error` case must have at least one line rejected. Without
// the corpus the test skips, or fails under CI=true (conformance_corpus.h).

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "gateway/receivers/influx/parser.h"
#include "gtest/gtest.h"
#include "test/support/json/mini_json.h"
#include "test/unit/gateway/receivers/conformance_corpus.h"
#include "test/unit/gateway/receivers/influx/recording_sink.h"

namespace vitals::gateway {
namespace {

using testing::OwnedField;
using testing::OwnedPoint;
using testing::RecordingSink;
using vitals::testing::Json;

constexpr int kMaxPrinted = 25;

constexpr char kSuite[] = "influx";

std::filesystem::path CorpusPath() {
  return vitals::testing::ConformanceCorpus(kSuite) / "decode.jsonl";
}

bool ToPrecision(std::string_view corpus, InfluxPrecision& out) {
  if (corpus == "1ns") return out = InfluxPrecision::kNanoseconds, true;
  if (corpus == "1\xC2\xB5s" || corpus == "1us") return out = InfluxPrecision::kMicroseconds, true;
  if (corpus == "1ms") return out = InfluxPrecision::kMilliseconds, true;
  if (corpus == "1s") return out = InfluxPrecision::kSeconds, true;
  return false;
}

// Go's time.Truncate on a Unix-nanosecond instant: rounds down.
int64_t Truncate(int64_t ns, int64_t unit) {
  int64_t q = ns / unit;
  if (ns % unit != 0 && ns < 0) --q;
  return q * unit;
}

std::string Quote(std::string_view s) { return "\"" + absl::CHexEscape(AsAbsl(s)) + "\""; }

// Compares one field with the corpus' {"<type>": value}; empty when equal.
std::string CompareField(const OwnedField& got, const Json& want) {
  const Json* key = want.Find("key");
  const Json* value = want.Find("value");
  if (key == nullptr || value == nullptr || value->members.size() != 1) {
    return "malformed expected field";
  }
  if (got.key != key->text) return "field key " + Quote(got.key) + " != " + Quote(key->text);
  const auto& [type, v] = value->members.front();
  std::ostringstream diff;
  if (type == "float") {
    const double want_value = std::strtod(v.text.c_str(), nullptr);
    if (got.type != InfluxFieldType::kFloat || got.float_value != want_value) {
      diff << "field " << got.key << ": want float " << v.text;
    }
  } else if (type == "int") {
    if (got.type != InfluxFieldType::kInteger || std::to_string(got.int_value) != v.text) {
      diff << "field " << got.key << ": want int " << v.text;
    }
  } else if (type == "uint") {
    if (got.type != InfluxFieldType::kUnsigned || std::to_string(got.uint_value) != v.text) {
      diff << "field " << got.key << ": want uint " << v.text;
    }
  } else if (type == "bool") {
    if (got.type != InfluxFieldType::kBoolean || got.bool_value != v.boolean) {
      diff << "field " << got.key << ": want bool " << v.boolean;
    }
  } else if (type == "string") {
    if (got.type != InfluxFieldType::kString || got.string_value != v.text) {
      diff << "field " << got.key << ": want string " << Quote(v.text) << " got "
           << Quote(got.string_value);
    }
  } else {
    diff << "unknown expected type " << type;
  }
  return diff.str();
}

// Empty when `got` matches the corpus point `want`.
std::string ComparePoint(const OwnedPoint& got, const Json& want, int64_t default_time,
                         int64_t unit_ns) {
  const Json* name = want.Find("name");
  const Json* tags = want.Find("tags");
  const Json* fields = want.Find("fields");
  const Json* time = want.Find("time");
  if (name == nullptr || time == nullptr) return "malformed expected point";
  if (got.measurement != name->text) {
    return "measurement " + Quote(got.measurement) + " != " + Quote(name->text);
  }
  // The corpus lists tags sorted by key; we keep wire order.
  auto got_tags = got.tags;
  std::sort(got_tags.begin(), got_tags.end());
  const size_t want_tags = tags == nullptr ? 0 : tags->items.size();
  if (got_tags.size() != want_tags) {
    return "tag count " + std::to_string(got_tags.size()) + " != " + std::to_string(want_tags);
  }
  for (size_t i = 0; i < want_tags; ++i) {
    const Json* k = tags->items[i].Find("key");
    const Json* v = tags->items[i].Find("value");
    if (k == nullptr || v == nullptr) return "malformed expected tag";
    if (got_tags[i].first != k->text || got_tags[i].second != v->text) {
      return "tag " + Quote(got_tags[i].first) + "=" + Quote(got_tags[i].second) +
             " != " + Quote(k->text) + "=" + Quote(v->text);
    }
  }
  const size_t want_fields = fields == nullptr ? 0 : fields->items.size();
  if (got.fields.size() != want_fields) {
    return "field count " + std::to_string(got.fields.size()) +
           " != " + std::to_string(want_fields);
  }
  for (size_t i = 0; i < want_fields; ++i) {
    if (std::string d = CompareField(got.fields[i], fields->items[i]); !d.empty()) return d;
  }
  const int64_t got_time = got.has_timestamp ? got.timestamp_ns : Truncate(default_time, unit_ns);
  if (std::to_string(got_time) != time->text) {
    return "time " + std::to_string(got_time) + " != " + time->text;
  }
  return {};
}

TEST(InfluxConformance, DecodeCorpus) {
  VITALS_REQUIRE_CONFORMANCE_CORPUS(kSuite);
  const std::filesystem::path path = CorpusPath();
  std::ifstream in(path);
  ASSERT_TRUE(in) << "conformance corpus incomplete: cannot read " << path;

  InfluxParser parser;
  int cases = 0, ok_cases = 0, error_cases = 0, mismatches = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++cases;
    const absl::StatusOr<Json> parsed = Json::Parse(line);
    ASSERT_TRUE(parsed.ok()) << "corpus line " << cases << ": " << parsed.status();
    const Json& record = *parsed;

    const Json* key = record.Find("key");
    const Json* expect = record.Find("expect");
    const Json* precision_text = record.Find("precision");
    const Json* default_time_text = record.Find("defaultTime");
    ASSERT_TRUE(key && expect && precision_text && default_time_text) << line;

    std::string text;
    if (const Json* t = record.Find("text")) {
      text = t->text;
    } else if (const Json* b = record.Find("text_b64")) {
      ASSERT_TRUE(absl::Base64Unescape(b->text, &text)) << key->text;
    } else {
      FAIL() << "case without text: " << key->text;
    }
    InfluxPrecision precision;
    ASSERT_TRUE(ToPrecision(precision_text->text, precision)) << precision_text->text;
    const int64_t default_time = std::stoll(default_time_text->text);

    RecordingSink sink;
    parser.Parse(text, precision, sink);

    std::string problem;
    if (expect->text == "error") {
      ++error_cases;
      if (sink.rejects.empty()) problem = "accepted, but the corpus expects an error";
    } else {
      ++ok_cases;
      const Json* result = record.Find("result");
      const size_t want_points = result == nullptr ? 0 : result->items.size();
      if (!sink.rejects.empty()) {
        problem = absl::StrCat("rejected line ", sink.rejects.front().line, ": ",
                               sink.rejects.front().reason);
      } else if (sink.points.size() != want_points) {
        problem = absl::StrCat("got ", sink.points.size(), " points, want ", want_points);
      } else {
        for (size_t i = 0; i < want_points && problem.empty(); ++i) {
          problem = ComparePoint(sink.points[i], result->items[i], default_time,
                                 InfluxPrecisionNanos(precision));
          if (!problem.empty()) problem = absl::StrCat("point ", i, ": ", problem);
        }
      }
    }
    if (!problem.empty()) {
      if (++mismatches <= kMaxPrinted) {
        ADD_FAILURE() << "case " << key->text << " (" << expect->text << ", "
                      << precision_text->text << ") text " << Quote(text) << "\n  " << problem;
      }
    }
  }
  if (mismatches > kMaxPrinted) {
    ADD_FAILURE() << (mismatches - kMaxPrinted) << " more mismatches not printed";
  }
  EXPECT_EQ(cases, 6615) << "the corpus changed size; update this count deliberately";
  EXPECT_EQ(ok_cases, 396);
  EXPECT_EQ(error_cases, 6219);
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace vitals::gateway
