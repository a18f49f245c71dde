#include "gateway/receivers/statsd/scope_format.h"

#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace vitals::gateway {
namespace {

using Vars = std::map<std::string, std::string>;

constexpr std::string_view kYarnTm = "container_e05_1600000000000_0001_01_000002";
constexpr std::string_view kK8sTm = "orders-etl-taskmanager-1-3";
constexpr std::string_view kEc2Host = "ip-10-0-0-1.ec2.internal";

ScopeParser Parser(const FlinkScopeFormats& formats = {}) {
  auto parser = ScopeParser::Create(formats);
  EXPECT_TRUE(parser.ok()) << parser.status();
  return *std::move(parser);
}

// Matches are views into the identifier: tests keep every identifier
// they parse alive here.
const std::string& Keep(std::string id) {
  static auto* kept = new std::deque<std::string>();
  return kept->emplace_back(std::move(id));
}

Vars AsMap(const ScopeMatch& m) {
  Vars vars;
  for (const LabelView& v : m.variables) vars[std::string(v.name)] = std::string(v.value);
  return vars;
}

std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += '.';
    out += p;
  }
  return out;
}

// Parses `id` and checks scope, variables and metric.
void ExpectMatch(const ScopeParser& parser, std::string_view id, FlinkScope scope, const Vars& vars,
                 std::string_view metric) {
  SCOPED_TRACE(std::string(id));
  auto m = parser.Parse(id);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(FlinkScopeName(m->scope), FlinkScopeName(scope));
  EXPECT_EQ(AsMap(*m), vars);
  EXPECT_EQ(m->metric, metric);
}

// --- Default formats, one identifier per scope -------------------------------

TEST(ScopeParser, JobManagerWithDottedHost) {
  ExpectMatch(Parser(), Cat({kEc2Host, "jobmanager", "Status.JVM.CPU.Load"}),
              FlinkScope::kJobManager, {{"host", std::string(kEc2Host)}}, "Status.JVM.CPU.Load");
  ExpectMatch(Parser(), "10.0.0.5.jobmanager.numRegisteredTaskManagers", FlinkScope::kJobManager,
              {{"host", "10.0.0.5"}}, "numRegisteredTaskManagers");
}

TEST(ScopeParser, JobManagerJob) {
  ExpectMatch(Parser(), Cat({kEc2Host, "jobmanager", "orders-etl", "lastCheckpointDuration"}),
              FlinkScope::kJobManagerJob,
              {{"host", std::string(kEc2Host)}, {"job_name", "orders-etl"}},
              "lastCheckpointDuration");
  ExpectMatch(Parser(), "10.0.0.5.jobmanager.orders etl (prod).numRestarts",
              FlinkScope::kJobManagerJob, {{"host", "10.0.0.5"}, {"job_name", "orders etl (prod)"}},
              "numRestarts");
  // A job name with dots still reads one way when the metric is known.
  ExpectMatch(Parser(), "10.0.0.5.jobmanager.etl.orders.v2.runningTime", FlinkScope::kJobManagerJob,
              {{"host", "10.0.0.5"}, {"job_name", "etl.orders.v2"}}, "runningTime");
}

TEST(ScopeParser, TaskManagerOnYarnKubernetesAndStandalone) {
  ExpectMatch(Parser(),
              Cat({kEc2Host, "taskmanager", kYarnTm,
                   "Status.JVM.GarbageCollector.G1_Young_Generation.Count"}),
              FlinkScope::kTaskManager,
              {{"host", std::string(kEc2Host)}, {"tm_id", std::string(kYarnTm)}},
              "Status.JVM.GarbageCollector.G1_Young_Generation.Count");
  ExpectMatch(Parser(), Cat({"10.244.1.7", "taskmanager", kK8sTm, "Status.JVM.CPU.Load"}),
              FlinkScope::kTaskManager, {{"host", "10.244.1.7"}, {"tm_id", std::string(kK8sTm)}},
              "Status.JVM.CPU.Load");
  // Standalone ids are "<address>:<port>-<6 hex>", ':' sent as '-'.
  ExpectMatch(Parser(),
              "10.0.0.1.taskmanager.10.0.0.1-37453-4b6c1a.Status.Flink.Memory.Managed.Used",
              FlinkScope::kTaskManager, {{"host", "10.0.0.1"}, {"tm_id", "10.0.0.1-37453-4b6c1a"}},
              "Status.Flink.Memory.Managed.Used");
}

TEST(ScopeParser, TaskManagerJobLatency) {
  const std::string metric =
      "latency.source_id.cbc357ccb763df2852fee8c4fc7d55f2.operator_id."
      "0a448493b4782967b150582570326227.operator_subtask_index.0.latency.p99";
  ExpectMatch(Parser(), Cat({"10.244.1.7", "taskmanager", kK8sTm, "orders-etl", metric}),
              FlinkScope::kTaskManagerJob,
              {{"host", "10.244.1.7"}, {"tm_id", std::string(kK8sTm)}, {"job_name", "orders-etl"}},
              metric);
}

TEST(ScopeParser, TaskMetricsWithSpacedTaskNames) {
  ExpectMatch(Parser(),
              Cat({kEc2Host, "taskmanager", kYarnTm, "orders-etl", "Source- Kafka -> Map", "0",
                   "busyTimeMsPerSecond"}),
              FlinkScope::kTask,
              {{"host", std::string(kEc2Host)},
               {"tm_id", std::string(kYarnTm)},
               {"job_name", "orders-etl"},
               {"task_name", "Source- Kafka -> Map"},
               {"subtask_index", "0"}},
              "busyTimeMsPerSecond");
}

// With '.' as delimiter a dot in a task or operator name could as well
// end the job name: only knowing the job settles it.
TEST(ScopeParser, DottedTaskAndOperatorNamesNeedTheJobName) {
  const auto known = [](std::string_view job) { return job == "orders-etl"; };
  const std::string task_id =
      Cat({kEc2Host, "taskmanager", kYarnTm, "orders-etl", "Sink- s3.bucket writer v1.2", "12",
           "Shuffle.Netty.Output.Buffers.outPoolUsage"});
  EXPECT_EQ(Parser().Parse(task_id).status().code(), absl::StatusCode::kFailedPrecondition);
  auto m = Parser().Parse(task_id, known);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->scope, FlinkScope::kTask);
  EXPECT_EQ(AsMap(*m), (Vars{{"host", std::string(kEc2Host)},
                             {"tm_id", std::string(kYarnTm)},
                             {"job_name", "orders-etl"},
                             {"task_name", "Sink- s3.bucket writer v1.2"},
                             {"subtask_index", "12"}}));
  EXPECT_EQ(m->metric, "Shuffle.Netty.Output.Buffers.outPoolUsage");

  const std::string op_id =
      Cat({"10.244.1.7", "taskmanager", kK8sTm, "orders-etl", "Source- Kafka.orders", "3",
           "KafkaSourceReader.KafkaConsumer.records-lag-max"});
  EXPECT_EQ(Parser().Parse(op_id).status().code(), absl::StatusCode::kFailedPrecondition);
  m = Parser().Parse(op_id, known);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->scope, FlinkScope::kOperator);
  EXPECT_EQ(AsMap(*m), (Vars{{"host", "10.244.1.7"},
                             {"tm_id", std::string(kK8sTm)},
                             {"job_name", "orders-etl"},
                             {"operator_name", "Source- Kafka.orders"},
                             {"subtask_index", "3"}}));
  EXPECT_EQ(m->metric, "KafkaSourceReader.KafkaConsumer.records-lag-max");
}

TEST(ScopeParser, OperatorMetrics) {
  const Vars vars = {{"host", "10.244.1.7"},
                     {"tm_id", std::string(kK8sTm)},
                     {"job_name", "orders-etl"},
                     {"operator_name", "Source- Kafka"},
                     {"subtask_index", "3"}};
  for (std::string_view metric : {"KafkaSourceReader.KafkaConsumer.records-lag-max",
                                  "currentEmitEventTimeLag", "pendingRecords"}) {
    ExpectMatch(
        Parser(),
        Cat({"10.244.1.7", "taskmanager", kK8sTm, "orders-etl", "Source- Kafka", "3", metric}),
        FlinkScope::kOperator, vars, metric);
  }
}

// Task and operator formats are alike by default: the IO metrics both
// register read the same, and the name decides.
TEST(ScopeParser, SharedIoMetricsGoToTheOperatorUnlessTheNameIsAChain) {
  const std::string prefix = Cat({"10.244.1.7", "taskmanager", kK8sTm, "orders-etl"});
  auto m = Parser().Parse(Keep(prefix + ".Map.2.numRecordsInPerSecond.rate"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->scope, FlinkScope::kOperator);
  EXPECT_EQ(m->Variable("operator_name"), "Map");
  EXPECT_EQ(m->metric, "numRecordsInPerSecond.rate");

  m = Parser().Parse(Keep(prefix + ".Source- Kafka -> Map.2.numRecordsOut"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->scope, FlinkScope::kTask);
  EXPECT_EQ(m->Variable("task_name"), "Source- Kafka -> Map");

  // Operator names are cut at 80 characters: a longer name is a task's.
  const std::string long_name(81, 'w');
  m = Parser().Parse(Keep(prefix + "." + long_name + ".2.numRecordsIn"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->scope, FlinkScope::kTask);

  // An operator-only metric stays with the operator whatever its name.
  m = Parser().Parse(Keep(prefix + ".Source- Kafka -> Map.2.currentOutputWatermark"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->scope, FlinkScope::kOperator);
}

TEST(ScopeParser, UserMetricsBelongToTheOperator) {
  const std::string prefix = Cat({"10.244.1.7", "taskmanager", kK8sTm, "orders-etl", "Enrich"});
  auto m = Parser().Parse(Keep(prefix + ".4.myCounter"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->scope, FlinkScope::kOperator);
  EXPECT_EQ(m->metric, "myCounter");
  m = Parser().Parse(Keep(prefix + ".4.cache.hits.p99"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->Variable("subtask_index"), "4");
  EXPECT_EQ(m->metric, "cache.hits.p99");
}

// --- Ambiguity -------------------------------------------------------------

TEST(ScopeParser, DottedJobNameIsAmbiguousUntilTheJobIsKnown) {
  const std::string id =
      Cat({"10.244.1.7", "taskmanager", kK8sTm, "etl.orders", "Map", "0", "numRecordsIn"});
  auto m = Parser().Parse(id);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(m.status().message().find("ambiguous"), std::string_view::npos);
  EXPECT_NE(m.status().message().find("job_name='etl'"), std::string_view::npos);
  EXPECT_NE(m.status().message().find("job_name='etl.orders'"), std::string_view::npos);

  const std::set<std::string, std::less<>> known = {"etl.orders", "billing"};
  m = Parser().Parse(id, [&](std::string_view name) { return known.contains(name); });
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->Variable("job_name"), "etl.orders");
  EXPECT_EQ(m->Variable("operator_name"), "Map");

  // Knowing a prefix of the name as well brings the ambiguity back.
  const std::set<std::string, std::less<>> both = {"etl", "etl.orders"};
  m = Parser().Parse(id, [&](std::string_view name) { return both.contains(name); });
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ScopeParser, NumericUserGroupsAreAmbiguous) {
  // subtask_index could be "0" (operator "Map", metric "partition.3.bytes")
  // or "3" (operator "Map.0.partition"): nothing tells them apart.
  auto m = Parser().Parse(Cat(
      {"10.244.1.7", "taskmanager", kK8sTm, "orders-etl", "Map", "0", "partition", "3", "bytes"}));
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ScopeParser, UnknownMetricsPreferJobScopesOverProcessScopes) {
  // Process scopes' own metrics are all known, so "job.newMetric" under
  // the JobManager is less likely than a new job metric "newMetric".
  ExpectMatch(Parser(), "10.0.0.5.jobmanager.orders.someNewMetric", FlinkScope::kJobManagerJob,
              {{"host", "10.0.0.5"}, {"job_name", "orders"}}, "someNewMetric");
  ExpectMatch(Parser(), "h.taskmanager." + std::string(kK8sTm) + ".orders.someNewMetric",
              FlinkScope::kTaskManagerJob,
              {{"host", "h"}, {"tm_id", std::string(kK8sTm)}, {"job_name", "orders"}},
              "someNewMetric");
}

TEST(ScopeParser, UnknownJobManagerMetricOnADottedJobIsAmbiguous) {
  auto m = Parser().Parse("10.0.0.5.jobmanager.etl.orders.someNewMetric");
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ScopeParser, NoMatch) {
  for (std::string_view id : {"foo.bar", "h.jobmanager", "h.taskmanager.tm", "", "jobmanager.x",
                              ".jobmanager.numRunningJobs"}) {  // empty host
    auto m = Parser().Parse(id);
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << id;
  }
}

TEST(ScopeParser, AdversarialInputIsBounded) {
  std::string id = "h.taskmanager";
  for (int i = 0; i < 400; ++i) id += ".0";
  const auto start = std::chrono::steady_clock::now();
  auto m = Parser().Parse(id);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_LT(elapsed, std::chrono::milliseconds(100));
}

// --- Custom formats and delimiters -----------------------------------------

TEST(ScopeParser, DelimiterThatNeverOccursInNamesIsUnambiguous) {
  FlinkScopeFormats formats;
  formats.delimiter = '|';
  formats.values_contain_delimiter = false;
  const ScopeParser parser = Parser(formats);
  const std::string id =
      "10.244.1.7|taskmanager|" + std::string(kK8sTm) + "|etl.orders|Map.v2|0|partition|3|bytes";
  // Until told, the parser must assume names may hold the delimiter.
  FlinkScopeFormats unsure = formats;
  unsure.values_contain_delimiter = true;
  EXPECT_EQ(Parser(unsure).Parse(id).status().code(), absl::StatusCode::kFailedPrecondition);
  auto m = parser.Parse(id);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->scope, FlinkScope::kOperator);
  EXPECT_EQ(m->Variable("host"), "10.244.1.7");
  EXPECT_EQ(m->Variable("job_name"), "etl.orders");
  EXPECT_EQ(m->Variable("operator_name"), "Map.v2");
  EXPECT_EQ(m->metric, "partition|3|bytes");
  // StatsDReporter appends meter/histogram suffixes with '.' regardless.
  m = parser.Parse(Keep("10.244.1.7|taskmanager|" + std::string(kK8sTm) +
                        "|etl.orders|Map.v2|0|numRecordsOutPerSecond.rate"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->metric, "numRecordsOutPerSecond.rate");
}

TEST(ScopeParser, UnderscoreDelimiterUsesKnownGroupsAndShapes) {
  FlinkScopeFormats formats;
  formats.delimiter = '_';
  const ScopeParser parser = Parser(formats);
  // The Yarn container id is full of '_': only its shape finds its end.
  auto m = parser.Parse(Keep("ip-10-0-0-1.ec2.internal_taskmanager_" + std::string(kYarnTm) +
                             "_Status_JVM_CPU_Load"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->scope, FlinkScope::kTaskManager);
  EXPECT_EQ(m->Variable("tm_id"), kYarnTm);
  EXPECT_EQ(m->metric, "Status_JVM_CPU_Load");
}

TEST(ScopeParser, OperatorFormatWithTaskNameSeparatesTheScopes) {
  FlinkScopeFormats formats;
  formats.delimiter = '|';
  formats.values_contain_delimiter = false;
  formats.operator_ =
      "<host>.taskmanager.<tm_id>.<job_name>.<task_name>.<operator_name>.<subtask_index>";
  const ScopeParser parser = Parser(formats);
  const std::string prefix = "h|taskmanager|" + std::string(kK8sTm) + "|job|Source- K -> Map";
  auto m = parser.Parse(Keep(prefix + "|0|numRecordsIn"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->scope, FlinkScope::kTask);
  m = parser.Parse(Keep(prefix + "|Map|0|numRecordsIn"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->scope, FlinkScope::kOperator);
  EXPECT_EQ(AsMap(*m), (Vars{{"host", "h"},
                             {"tm_id", std::string(kK8sTm)},
                             {"job_name", "job"},
                             {"task_name", "Source- K -> Map"},
                             {"operator_name", "Map"},
                             {"subtask_index", "0"}}));
}

TEST(ScopeParser, IdsInTheFormatAnchorFreeText) {
  FlinkScopeFormats formats;
  formats.task = "<host>.tm.<job_id>.<job_name>.<task_id>.<task_name>.<subtask_index>";
  formats.operator_ = "<host>.tm.<job_id>.<job_name>.<operator_id>.<operator_name>.<subtask_index>";
  const ScopeParser parser = Parser(formats);
  const std::string job_id = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
  const std::string task_id = "cbc357ccb763df2852fee8c4fc7d55f2";
  auto m = parser.Parse(
      Keep("h.tm." + job_id + ".etl.orders." + task_id + ".Sink- s3.out.1.busyTimeMsPerSecond"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->scope, FlinkScope::kTask);
  EXPECT_EQ(m->Variable("job_name"), "etl.orders");
  EXPECT_EQ(m->Variable("task_id"), task_id);
  EXPECT_EQ(m->Variable("task_name"), "Sink- s3.out");
}

// The formats docs/statsd.md recommends when '.' stays the delimiter:
// every free-text variable is followed by a fixed-shape one.
TEST(ScopeParser, RecommendedAnchoredFormatsReadDottedNames) {
  FlinkScopeFormats formats;
  formats.jm_job = "<host>.jobmanager.<job_name>.<job_id>";
  formats.jm_operator = "<host>.jobmanager.<job_name>.<job_id>.<operator_name>.<operator_id>";
  formats.tm_job = "<host>.taskmanager.<tm_id>.<job_id>.<job_name>";
  formats.task =
      "<host>.taskmanager.<tm_id>.<job_id>.<job_name>.<task_id>.<task_name>.<subtask_index>";
  formats.operator_ =
      "<host>.taskmanager.<tm_id>.<job_id>.<job_name>.<operator_id>.<operator_name>."
      "<subtask_index>";
  const ScopeParser parser = Parser(formats);
  const std::string job_id = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
  const std::string task_id = "cbc357ccb763df2852fee8c4fc7d55f2";
  const std::string op_id = "0a448493b4782967b150582570326227";
  const LabelView vars[] = {
      {"host", kEc2Host},     {"tm_id", "10.0.0.1:37453-4b6c1a"},
      {"job_id", job_id},     {"job_name", "etl.orders.v2"},
      {"task_id", task_id},   {"task_name", "Source: kafka.orders -> Map.enrich"},
      {"operator_id", op_id}, {"operator_name", "Map.enrich"},
      {"subtask_index", "11"}};
  const struct {
    FlinkScope scope;
    std::string_view metric;
  } cases[] = {
      {FlinkScope::kJobManagerJob, "lastCheckpointDuration"},
      {FlinkScope::kJobManagerJob, "aMetricNobodyKnows"},
      {FlinkScope::kTaskManager, "Status.JVM.CPU.Load"},
      {FlinkScope::kTaskManagerJob, "latency.operator_id.x.operator_subtask_index.0.latency.p99"},
      {FlinkScope::kTask, "busyTimeMsPerSecond"},
      {FlinkScope::kTask, "numRecordsIn"},  // shared, and the name is a chain
      {FlinkScope::kOperator, "currentOutputWatermark"},
      {FlinkScope::kOperator, "cache.hits.p99"},  // a user histogram
      {FlinkScope::kOperator, "numRecordsOutPerSecond.rate"},
  };
  for (const auto& c : cases) {
    const std::string& id = Keep(parser.Format(c.scope, vars, c.metric));
    SCOPED_TRACE(id);
    auto m = parser.Parse(id);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->scope, c.scope);
    EXPECT_EQ(m->metric, c.metric);
    EXPECT_EQ(m->Variable("host"), kEc2Host);
    if (c.scope != FlinkScope::kTaskManager) {
      EXPECT_EQ(m->Variable("job_name"), "etl.orders.v2");
    }
  }
}

TEST(ScopeParser, InheritRepeatAndLiteralVariables) {
  FlinkScopeFormats formats;
  formats.tm_job = "*.<job_name>";          // the tm format, then the job
  formats.jm = "<host>.<tm_id>.jm.<host>";  // <tm_id> is no JobManager variable
  formats.task = "*.<task_name>.<subtask_index>.<unknown>";
  const ScopeParser parser = Parser(formats);

  ExpectMatch(parser, "h.taskmanager." + std::string(kK8sTm) + ".job.latency",
              FlinkScope::kTaskManagerJob,
              {{"host", "h"}, {"tm_id", std::string(kK8sTm)}, {"job_name", "job"}}, "latency");
  ExpectMatch(parser, "a.b.<tm_id>.jm.a.b.numRunningJobs", FlinkScope::kJobManager,
              {{"host", "a.b"}}, "numRunningJobs");
  // A repeated variable must repeat its value.
  EXPECT_FALSE(parser.Parse("a.<tm_id>.jm.c.numRunningJobs").ok());
  ExpectMatch(parser,
              "h.taskmanager." + std::string(kK8sTm) + ".job.Map.1.<unknown>.idleTimeMsPerSecond",
              FlinkScope::kTask,
              {{"host", "h"},
               {"tm_id", std::string(kK8sTm)},
               {"job_name", "job"},
               {"task_name", "Map"},
               {"subtask_index", "1"}},
              "idleTimeMsPerSecond");
}

TEST(ScopeParser, CreateRefusesWhatFlinkRefuses) {
  FlinkScopeFormats formats;
  formats.jm = "*.jobmanager";
  EXPECT_EQ(ScopeParser::Create(formats).status().code(), absl::StatusCode::kInvalidArgument);
  formats = {};
  formats.tm = "*";
  EXPECT_EQ(ScopeParser::Create(formats).status().code(), absl::StatusCode::kInvalidArgument);
  formats = {};
  formats.task = ".";  // splits into nothing
  EXPECT_EQ(ScopeParser::Create(formats).status().code(), absl::StatusCode::kInvalidArgument);
  formats = {};
  formats.delimiter = ':';
  EXPECT_EQ(ScopeParser::Create(formats).status().code(), absl::StatusCode::kInvalidArgument);
}

// --- Format: what Flink would send ---------------------------------------------

TEST(ScopeParser, FormatFiltersColonsAndWritesNullForMissingValues) {
  const ScopeParser parser = Parser();
  const LabelView vars[] = {{"host", "h"}, {"tm_id", "10.0.0.1:3745-abcdef"}, {"job_name", ""}};
  EXPECT_EQ(parser.Format(FlinkScope::kTaskManagerJob, vars, "latency"),
            "h.taskmanager.10.0.0.1-3745-abcdef.null.latency");
  EXPECT_EQ(parser.Format(FlinkScope::kJobManager, vars, "a:b"), "h.jobmanager.a-b");
}

TEST(ScopeParser, ParseInvertsFormatForEveryScope) {
  const ScopeParser parser = Parser();
  const LabelView vars[] = {{"host", kEc2Host},         {"tm_id", kYarnTm},
                            {"job_name", "orders-etl"}, {"task_name", "Source: Kafka -> Map"},
                            {"subtask_index", "7"},     {"operator_name", "Source: Kafka"}};
  const struct {
    FlinkScope scope;
    std::string_view metric;
  } cases[] = {
      {FlinkScope::kJobManager, "Status.JVM.Memory.Heap.Used"},
      {FlinkScope::kJobManagerJob, "numberOfFailedCheckpoints"},
      {FlinkScope::kTaskManager, "Status.JVM.CPU.Time"},
      {FlinkScope::kTaskManagerJob, "latency.source_id.x.latency.p50"},
      {FlinkScope::kTask, "backPressuredTimeMsPerSecond"},
      {FlinkScope::kOperator, "numRecordsInErrors"},
  };
  for (const auto& c : cases) {
    const std::string id = parser.Format(c.scope, vars, c.metric);
    SCOPED_TRACE(id);
    auto m = parser.Parse(id);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->scope, c.scope);
    EXPECT_EQ(m->metric, c.metric);
    for (const LabelView& v : m->variables) {
      for (const LabelView& want : vars) {
        if (want.name != v.name) continue;
        std::string filtered(want.value);
        std::replace(filtered.begin(), filtered.end(), ':', '-');
        EXPECT_EQ(v.value, filtered) << v.name;
      }
    }
  }
}

TEST(ScopeParser, ScopeNames) {
  EXPECT_EQ(FlinkScopeName(FlinkScope::kJobManager), "jobmanager");
  EXPECT_EQ(FlinkScopeName(FlinkScope::kJobManagerJob), "jobmanager_job");
  EXPECT_EQ(FlinkScopeName(FlinkScope::kJobManagerOperator), "jobmanager_job_operator");
  EXPECT_EQ(FlinkScopeName(FlinkScope::kTaskManager), "taskmanager");
  EXPECT_EQ(FlinkScopeName(FlinkScope::kTaskManagerJob), "taskmanager_job");
  EXPECT_EQ(FlinkScopeName(FlinkScope::kTask), "taskmanager_job_task");
  EXPECT_EQ(FlinkScopeName(FlinkScope::kOperator), "taskmanager_job_task_operator");
}

}  // namespace
}  // namespace vitals::gateway
