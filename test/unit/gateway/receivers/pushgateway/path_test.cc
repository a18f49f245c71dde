#include "gateway/receivers/pushgateway/path.h"

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gateway/receivers/promtext/parser.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vitals::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

// What a push body's samples may carry, as the receiver passes it.
constexpr size_t kMaxLabels = PromTextLimits().max_labels;

GroupingKey Parse(std::string_view path) {
  absl::StatusOr<GroupingKey> key = ParsePushgatewayPath(path, kMaxLabels);
  EXPECT_TRUE(key.ok()) << path << ": " << key.status();
  return key.ok() ? *key : GroupingKey{};
}

// Returns the error message of a path that must be refused.
std::string Refuse(std::string_view path) {
  absl::StatusOr<GroupingKey> key = ParsePushgatewayPath(path, kMaxLabels);
  EXPECT_FALSE(key.ok()) << path << " was accepted as " << key->Canonical();
  if (key.ok()) return {};
  EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument) << path;
  return std::string(key.status().message());
}

TEST(PushgatewayPath, JobOnly) {
  const GroupingKey key = Parse("job/myjob");
  EXPECT_EQ(key.job, "myjob");
  EXPECT_THAT(key.labels, IsEmpty());
  EXPECT_EQ(key.Canonical(), R"({job="myjob"})");
}

TEST(PushgatewayPath, LabelsAreSortedByName) {
  const GroupingKey key = Parse("job/j/zone/eu/instance/tm1/app/etl");
  EXPECT_EQ(key.job, "j");
  EXPECT_THAT(key.labels,
              ElementsAre(Pair("app", "etl"), Pair("instance", "tm1"), Pair("zone", "eu")));
  EXPECT_EQ(key.Canonical(), R"({job="j",app="etl",instance="tm1",zone="eu"})");
  EXPECT_EQ(key, Parse("job/j/app/etl/instance/tm1/zone/eu"));
}

// What Flink's PrometheusPushGatewayReporter sends through the Prometheus
// Java client: the job name with 32 random hex characters appended, the
// configured grouping key, URLEncoder for plain values and padded url-safe
// base64 for values containing '/'.
TEST(PushgatewayPath, FlinkReporterPaths) {
  const GroupingKey tm = Parse("job/fraud-detection3f1c0a9d8e7b6a5f4e3d2c1b0a9f8e7d");
  EXPECT_EQ(tm.job, "fraud-detection3f1c0a9d8e7b6a5f4e3d2c1b0a9f8e7d");

  const GroupingKey grouped =
      Parse("job/fraud-detectione7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2/env/prod/cluster/k8s-eu-1");
  EXPECT_EQ(grouped.job, "fraud-detectione7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2");
  EXPECT_THAT(grouped.labels, ElementsAre(Pair("cluster", "k8s-eu-1"), Pair("env", "prod")));

  // randomJobNameSuffix with no jobName configured: the suffix alone.
  EXPECT_EQ(Parse("job/0a1b2c3d4e5f60718293a4b5c6d7e8f9").job, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");

  // URLEncoder writes a space as '+', which a path keeps literally, in
  // Pushgateway as here.
  EXPECT_EQ(Parse("job/Fraud+Detection0a1b2c3d4e5f60718293a4b5c6d7e8f9").job,
            "Fraud+Detection0a1b2c3d4e5f60718293a4b5c6d7e8f9");
  EXPECT_THAT(Parse("job/j/ckpt_dir@base64/czM6Ly9idWNrZXQvY2twdA==").labels,
              ElementsAre(Pair("ckpt_dir", "s3://bucket/ckpt")));
  // An empty grouping-key value, as the Java client encodes it.
  EXPECT_THAT(Parse("job/j/tenant@base64/=").labels, ElementsAre(Pair("tenant", "")));
}

// The examples of Pushgateway's README.
TEST(PushgatewayPath, Base64ValuesWithAndWithoutPadding) {
  EXPECT_THAT(Parse("job/directory_cleaner/path@base64/L3Zhci90bXA").labels,
              ElementsAre(Pair("path", "/var/tmp")));
  EXPECT_THAT(Parse("job/directory_cleaner/path@base64/L3Zhci90bXA=").labels,
              ElementsAre(Pair("path", "/var/tmp")));
  // Pushgateway trims every trailing '=' before decoding.
  EXPECT_THAT(Parse("job/d/path@base64/L3Zhci90bXA===").labels,
              ElementsAre(Pair("path", "/var/tmp")));
  EXPECT_EQ(Parse("job@base64/bXlqb2I").job, "myjob");
  EXPECT_EQ(Parse("job@base64/L3Zhci90bXA").job, "/var/tmp");
  const GroupingKey base64 = Parse("job/titan/name@base64/zqDPgc6_zrzOt864zrXPjc-C");
  EXPECT_THAT(base64.labels, ElementsAre(Pair("name", "Προμηθεύς")));
  EXPECT_EQ(base64, Parse("job/titan/name/"
                          "%CE%A0%CF%81%CE%BF%CE%BC%CE%B7%CE%B8%CE%B5%CF%8D%CF%82"));
}

TEST(PushgatewayPath, EqualsSignAloneIsTheEmptyValue) {
  const GroupingKey key = Parse("job/example/first_label@base64/=/second_label/foobar");
  EXPECT_THAT(key.labels, ElementsAre(Pair("first_label", ""), Pair("second_label", "foobar")));
  EXPECT_EQ(key.Canonical(), R"({job="example",first_label="",second_label="foobar"})");
  EXPECT_THAT(Parse("job/e/l@base64/==").labels, ElementsAre(Pair("l", "")));
}

TEST(PushgatewayPath, PlainEmptyValueIsRefused) {
  EXPECT_THAT(Refuse("job/example/first_label//second_label/foobar"),
              HasSubstr("first_label@base64/="));
  EXPECT_THAT(Refuse("job/example/first_label/"), HasSubstr("empty value"));
  // `@base64` followed by an empty segment is the `//` the README warns about.
  EXPECT_THAT(Refuse("job/example/l@base64//m/v"), HasSubstr("\"=\""));
}

TEST(PushgatewayPath, JobComesFirstAndIsRequired) {
  EXPECT_THAT(Refuse(""), HasSubstr("empty"));
  EXPECT_THAT(Refuse("job"), HasSubstr("job name is missing"));
  EXPECT_THAT(Refuse("job/"), HasSubstr("job name is missing"));
  EXPECT_THAT(Refuse("job//instance/x"), HasSubstr("job name is missing"));
  EXPECT_THAT(Refuse("instance/tm1/job/x"), HasSubstr("must start with job/"));
  EXPECT_THAT(Refuse("/job/x"), HasSubstr("must start with job/"));
  EXPECT_THAT(Refuse("jobs/x"), HasSubstr("must start with job/"));
  EXPECT_THAT(Refuse("JOB/x"), HasSubstr("must start with job/"));
}

TEST(PushgatewayPath, EmptyBase64JobIsRefused) {
  // `=` is how base64 spells "", and an empty job is invalid in Pushgateway.
  EXPECT_THAT(Refuse("job@base64/="), HasSubstr("job name is empty"));
  EXPECT_THAT(Refuse("job@base64/=/instance/x"), HasSubstr("job name is empty"));
  EXPECT_THAT(Refuse("job@base64/"), HasSubstr("job name is missing"));
}

TEST(PushgatewayPath, TrailingSlash) {
  // Right after the job it names no labels, as in Pushgateway.
  EXPECT_EQ(Parse("job/x/"), Parse("job/x"));
  EXPECT_THAT(Refuse("job/x/instance/tm1/"), HasSubstr("trailing '/'"));
  EXPECT_THAT(Refuse("job/x//"), HasSubstr("improper label name"));
}

TEST(PushgatewayPath, OddSegmentCountIsRefused) {
  EXPECT_THAT(Refuse("job/x/instance"), HasSubstr("label \"instance\" has no value"));
  EXPECT_THAT(Refuse("job/x/a/1/b"), HasSubstr("label \"b\" has no value"));
}

TEST(PushgatewayPath, LabelNamesMustBeValidPrometheusNames) {
  EXPECT_THAT(Parse("job/x/_private/v").labels, ElementsAre(Pair("_private", "v")));
  EXPECT_THAT(Parse("job/x/a1_B2/v").labels, ElementsAre(Pair("a1_B2", "v")));
  for (const char* path :
       {"job/x/1abc/v", "job/x/a-b/v", "job/x/a.b/v", "job/x/a%20b/v", "job/x/__name__/v",
        "job/x/__a/v", "job/x/@base64/dg", "job/x/caf%C3%A9/v"}) {
    EXPECT_THAT(Refuse(path), HasSubstr("improper label name")) << path;
  }
}

TEST(PushgatewayPath, SegmentsArePercentDecoded) {
  const GroupingKey key = Parse("job/my%20job/instance/a%2Fb/inst%61nce2/%7e%7E");
  EXPECT_EQ(key.job, "my job");
  // An encoded '/' stays inside its segment.
  EXPECT_THAT(key.labels, ElementsAre(Pair("instance", "a/b"), Pair("instance2", "~~")));
  EXPECT_EQ(Parse("j%6Fb/x").job, "x");
  EXPECT_EQ(Parse("job%40base64/eA").job, "x");
  EXPECT_THAT(Parse("job/x/l%40base64/eQ").labels, ElementsAre(Pair("l", "y")));
  // Base64 text may itself be percent-encoded.
  EXPECT_THAT(Parse("job/x/l@base64/%3D").labels, ElementsAre(Pair("l", "")));
  for (const char* path : {"job/%zz", "job/abc%4", "job/abc%", "job/x/inst%g1/v", "jo%/x"}) {
    EXPECT_THAT(Refuse(path), HasSubstr("percent-encoding")) << path;
  }
}

TEST(PushgatewayPath, BadBase64IsRefused) {
  for (const char* path : {"job/x/l@base64/A", "job/x/l@base64/YQ=Y", "job/x/l@base64/+w",
                           "job/x/l@base64/a b", "job@base64/!!!!", "job@base64/Zm9vY"}) {
    EXPECT_THAT(Refuse(path), HasSubstr("base64")) << path;
  }
}

TEST(PushgatewayPath, ValuesMustBeUtf8) {
  EXPECT_THAT(Refuse("job/x/l@base64/_w"), HasSubstr("UTF-8"));  // 0xFF
  EXPECT_THAT(Refuse("job/%FF"), HasSubstr("UTF-8"));
  EXPECT_THAT(Refuse("job/x/l/%ED%A0%80"), HasSubstr("UTF-8"));  // a surrogate
}

TEST(PushgatewayPath, AsManyGroupingLabelsAsABodySampleMayCarry) {
  std::string path = "job/j";
  for (size_t i = 0; i < kMaxLabels; ++i) absl::StrAppend(&path, "/l", i, "/v");
  EXPECT_EQ(Parse(path).labels.size(), kMaxLabels);
  // 2,000 labels in a path were once accepted while a body allows 128.
  for (size_t i = kMaxLabels; i < 2000; ++i) absl::StrAppend(&path, "/l", i, "/v");
  EXPECT_THAT(Refuse(path), HasSubstr("more than 128 grouping labels"));
}

TEST(PushgatewayPath, DuplicateLabelNamesAreRefused) {
  EXPECT_THAT(Refuse("job/x/a/1/a/2"), HasSubstr("label a appears more than once"));
  EXPECT_THAT(Refuse("job/x/a/1/b/2/a@base64/Mg"), HasSubstr("label a appears more than once"));
  // Pushgateway would silently keep the path's job here.
  EXPECT_THAT(Refuse("job/x/job/y"), HasSubstr("label job repeats the job segment"));
  EXPECT_THAT(Refuse("job/x/job@base64/eQ"), HasSubstr("label job"));
}

TEST(PushgatewayPath, CanonicalEscapesValues) {
  // Without escaping these two different keys would print alike.
  const GroupingKey tricky = Parse("job@base64/YSIsYj0iYw");  // a",b="c
  const GroupingKey plain = Parse("job/a/b/c");
  EXPECT_EQ(tricky.job, R"(a",b="c)");
  EXPECT_NE(tricky.Canonical(), plain.Canonical());
  EXPECT_EQ(tricky.Canonical(), R"({job="a\",b=\"c"})");
  EXPECT_EQ(Parse("job/x/l/a%5Cb%0Ac").Canonical(), R"({job="x",l="a\\b\nc"})");
}

TEST(PushgatewayPath, LongSegmentsAreCutInMessages) {
  const std::string path = "job/x/" + std::string(5000, 'a') + "-/v";
  const std::string message = Refuse(path);
  EXPECT_THAT(message, HasSubstr("..."));
  EXPECT_LT(message.size(), 300u);
}

}  // namespace
}  // namespace vitals::gateway
