// Process attribution: a Flink process's process-scope samples (Flink's
// Status.JVM.* carry only `host` and `tm_id`) go to the jobs whose
// job-scoped samples (with `job_id`/`job_name`) the same process reports,
// whatever name the reporter pushes under. Flink's
// PrometheusPushGatewayReporterOptions: `jobName` defaults to "" and
// `randomJobNameSuffix` to true, so a group is usually named by 32 random
// hex characters, or one fixed name (`flink`) for every process.

#include "gateway/attribute/process_attributor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "test/unit/gateway/receivers/recording_sink.h"

namespace vitals::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr int64_t kNow = 1'800'000'000'000;

// Builds samples with owned storage for the views.
class Samples {
 public:
  FlinkSample Process(std::string source, std::string host, std::string tm_id, std::string metric,
                      double value) {
    Own& o = own_.emplace_back();
    o.strings = {std::move(source), std::move(host), std::move(tm_id), std::move(metric)};
    o.labels = {{"host", o.strings[1]}};
    if (!o.strings[2].empty()) o.labels.push_back({"tm_id", o.strings[2]});
    FlinkSample s;
    s.scope = o.strings[2].empty() ? v1::SCOPE_JOBMANAGER : v1::SCOPE_TASKMANAGER;
    s.metric = o.strings[3];
    s.source = o.strings[0];
    s.labels = o.labels;
    s.value = value;
    s.timestamp_ms = kNow;
    return s;
  }
  FlinkSample Task(std::string source, std::string host, std::string tm_id, std::string job_id,
                   std::string job_name) {
    Own& o = own_.emplace_back();
    o.strings = {std::move(source), std::move(host), std::move(tm_id), std::move(job_id),
                 std::move(job_name)};
    o.labels = {{"host", o.strings[1]}, {"subtask_index", "0"}, {"task_name", "Map"}};
    if (!o.strings[2].empty()) o.labels.push_back({"tm_id", o.strings[2]});
    FlinkSample s;
    s.scope = v1::SCOPE_TASKMANAGER_JOB_TASK;
    s.metric = "busyTimeMsPerSecond";
    s.source = o.strings[0];
    s.job_id = o.strings[3];
    s.job_name = o.strings[4];
    s.labels = o.labels;
    s.timestamp_ms = kNow;
    return s;
  }

 private:
  struct Own {
    std::vector<std::string> strings;
    std::vector<LabelView> labels;
  };
  std::deque<Own> own_;
};

std::vector<std::string> JobsOf(const RecordingSink& sink, std::string_view metric) {
  std::vector<std::string> jobs;
  for (const RecordedSample& s : sink.samples) {
    if (s.metric == metric) jobs.push_back(s.job_name + "/" + s.job_id);
  }
  return jobs;
}

class ProcessAttributorTest : public ::testing::Test {
 protected:
  ProcessJobTable table_{ProcessJobTable::Options{}};
  RecordingSink sink_;
  ProcessAttributor attributor_{&table_, &sink_};
  Samples make_;
};

TEST_F(ProcessAttributorTest, ProcessSeriesGoToTheJobTheSameProcessReportsWhateverTheGroupName) {
  // Flink's defaults: the group is 32 random hex characters. The JVM
  // figures come first in the body, the job's series after.
  const std::string group = "push:job=4f1c0a7d9b2e4c6a8f0e1d2c3b4a5968";
  attributor_.Begin("4f1c0a7d9b2e4c6a8f0e1d2c3b4a5968");
  attributor_.OnFlinkSample(make_.Process(group, "10_0_0_7", "tm-1", "Status_JVM_CPU_Load", 0.4));
  EXPECT_TRUE(sink_.samples.empty()) << "held until the batch ends";
  attributor_.OnFlinkSample(make_.Task(group, "10_0_0_7", "tm-1", "a1", "orders"));
  attributor_.Finish(kNow);
  EXPECT_THAT(JobsOf(sink_, "Status_JVM_CPU_Load"), ElementsAre("orders/a1"));
  const RecordedSample* cpu = sink_.Find("Status_JVM_CPU_Load");
  EXPECT_EQ(cpu->scope, v1::SCOPE_TASKMANAGER);
  EXPECT_EQ(cpu->labels.at("tm_id"), "tm-1");
  EXPECT_DOUBLE_EQ(cpu->value, 0.4);
  EXPECT_EQ(cpu->source, group);
  EXPECT_EQ(table_.counts().attributed, 1u);
}

TEST_F(ProcessAttributorTest, AFixedGroupNameNeverBecomesAJob) {
  // Every process of the fleet pushes as `flink` + suffix; a JobManager
  // between jobs reports only its own series.
  attributor_.Begin("flink");
  attributor_.OnFlinkSample(make_.Process("push:job=flinkab", "jm", "", "Status_JVM_CPU_Load", 1));
  attributor_.Finish(kNow);
  EXPECT_TRUE(sink_.samples.empty());
  EXPECT_EQ(table_.counts().unattributed, 1u);
  table_.SharingByJob(kNow);
  EXPECT_EQ(table_.unattributed_processes(), 1u);
}

TEST_F(ProcessAttributorTest, TheSenderNameNamesAJobOnlyWhereTheOperatorOptedIn) {
  ProcessJobTable::Options options;
  options.sender_name_as_job = true;
  table_.set_options(options);
  attributor_.Begin("my-job");
  attributor_.OnFlinkSample(make_.Process("push:job=my-job", "jm", "", "Status_JVM_CPU_Load", 1));
  attributor_.Finish(kNow);
  EXPECT_THAT(JobsOf(sink_, "Status_JVM_CPU_Load"), ElementsAre("my_job/"));
  EXPECT_EQ(table_.counts().sender_named, 1u);

  // Evidence still wins over the name.
  sink_.samples.clear();
  attributor_.Begin("my-job");
  attributor_.OnFlinkSample(make_.Process("push:job=my-job", "jm", "", "Status_JVM_CPU_Load", 1));
  attributor_.OnFlinkSample(make_.Task("push:job=my-job", "jm", "", "b2", "payments"));
  attributor_.Finish(kNow);
  EXPECT_THAT(JobsOf(sink_, "Status_JVM_CPU_Load"), ElementsAre("payments/b2"));
}

TEST_F(ProcessAttributorTest, ASessionClusterTaskManagerGivesItsJvmToEveryJobOnIt) {
  const std::string tm = "push:job=0123456789abcdef0123456789abcdef";
  attributor_.Begin();
  attributor_.OnFlinkSample(make_.Task(tm, "h", "tm-1", "c3", "clicks"));
  attributor_.OnFlinkSample(make_.Process(tm, "h", "tm-1", "Status_JVM_CPU_Load", 0.9));
  attributor_.OnFlinkSample(make_.Task(tm, "h", "tm-1", "a1", "orders"));
  attributor_.OnFlinkSample(make_.Task(tm, "h", "tm-1", "b2", "payments"));
  attributor_.OnFlinkSample(make_.Task(tm, "h", "tm-1", "a1", "orders"));
  attributor_.Finish(kNow);
  // In a stable order (by job name), so each job's series repeat theirs.
  EXPECT_THAT(JobsOf(sink_, "Status_JVM_CPU_Load"),
              ElementsAre("clicks/c3", "orders/a1", "payments/b2"));
  EXPECT_EQ(table_.counts().attributed, 3u);
  EXPECT_EQ(table_.counts().shared_copies, 2u);

  // An application cluster's TaskManager beside it.
  attributor_.Begin();
  attributor_.OnFlinkSample(make_.Task("push:job=other", "h2", "tm-9", "d4", "ledger"));
  attributor_.Finish(kNow);
  const auto sharing = table_.SharingByJob(kNow);
  EXPECT_EQ(sharing.at("orders").processes, 1u);
  EXPECT_EQ(sharing.at("orders").shared_processes, 1u);
  EXPECT_EQ(sharing.at("orders").max_jobs_per_process, 3u);
  EXPECT_EQ(sharing.at("ledger").shared_processes, 0u);
  EXPECT_EQ(sharing.at("ledger").max_jobs_per_process, 1u);
  EXPECT_EQ(table_.shared_processes(), 1u);

  // The figures reach each job's batch.
  std::vector<v1::MetricBatch> batches(3);
  batches[0].set_job_name("orders");
  batches[1].set_job_name("ledger");
  batches[2].set_job_name("unknown-job");
  table_.Annotate(kNow, &batches);
  EXPECT_EQ(batches[0].processes(), 1u);
  EXPECT_EQ(batches[0].shared_processes(), 1u);
  EXPECT_EQ(batches[0].max_jobs_per_process(), 3u);
  EXPECT_EQ(batches[1].shared_processes(), 0u);
  EXPECT_EQ(batches[1].max_jobs_per_process(), 1u);
  EXPECT_EQ(batches[2].processes(), 0u);
}

TEST_F(ProcessAttributorTest, EvidenceOfAnEarlierBatchCountsUntilItsTtl) {
  // StatsD: a process's lines arrive over several wake-ups.
  const std::string peer = "statsd:10.0.0.7:41234";
  attributor_.Begin();
  attributor_.OnFlinkSample(make_.Task(peer, "10.0.0.7", "tm-1", "a1", "orders"));
  attributor_.Finish(kNow);
  attributor_.Begin();
  attributor_.OnFlinkSample(make_.Process(peer, "10.0.0.7", "tm-1", "Status_JVM_CPU_Load", 0.5));
  attributor_.Finish(kNow + 30'000);
  EXPECT_THAT(JobsOf(sink_, "Status_JVM_CPU_Load"), ElementsAre("orders/a1"));

  sink_.samples.clear();
  const int64_t later = kNow + ProcessJobTable::Options{}.ttl_ms + 1;
  attributor_.Begin();
  attributor_.OnFlinkSample(make_.Process(peer, "10.0.0.7", "tm-1", "Status_JVM_CPU_Load", 0.5));
  attributor_.Finish(later);
  EXPECT_TRUE(sink_.samples.empty());
  EXPECT_TRUE(table_.SharingByJob(later).empty()) << "the evidence expired";
}

TEST_F(ProcessAttributorTest, ProcessesOfOneSenderAreToldApartByHostAndTmId) {
  // Influx writes of two TaskManagers from one address.
  const std::string peer = "influx:10.0.0.7";
  attributor_.Begin();
  attributor_.OnFlinkSample(make_.Process(peer, "10.0.0.7", "tm-1", "Status_JVM_CPU_Load", 0.1));
  attributor_.OnFlinkSample(make_.Process(peer, "10.0.0.7", "tm-2", "Status_JVM_CPU_Load", 0.2));
  attributor_.OnFlinkSample(make_.Task(peer, "10.0.0.7", "tm-1", "a1", "orders"));
  attributor_.OnFlinkSample(make_.Task(peer, "10.0.0.7", "tm-2", "b2", "payments"));
  attributor_.Finish(kNow);
  std::vector<std::string> pairs;
  for (const RecordedSample& s : sink_.samples) {
    if (s.metric == "Status_JVM_CPU_Load")
      pairs.push_back(s.labels.at("tm_id") + "->" + s.job_name);
  }
  EXPECT_THAT(pairs, UnorderedElementsAre("tm-1->orders", "tm-2->payments"));
}

TEST_F(ProcessAttributorTest, JobScopedSamplesPassStraightOn) {
  attributor_.Begin();
  attributor_.OnFlinkSample(make_.Task("push:x", "h", "tm-1", "a1", "orders"));
  ASSERT_EQ(sink_.samples.size(), 1u);
  EXPECT_EQ(sink_.samples[0].job_name, "orders");
  attributor_.Finish(kNow);
  EXPECT_EQ(sink_.samples.size(), 1u);
}

TEST(ProcessKeyTest, SenderHostAndTmId) {
  Samples make;
  EXPECT_EQ(ProcessKeyOf(make.Process("push:g", "h", "tm", "m", 0)), "push:g\x1fh\x1ftm");
  EXPECT_EQ(ProcessKeyOf(make.Task("push:g", "h", "tm", "a", "j")), "push:g\x1fh\x1ftm");
  EXPECT_EQ(ProcessKeyOf(make.Process("push:g", "jm", "", "m", 0)), "push:g\x1fjm\x1f");
}

}  // namespace
}  // namespace vitals::gateway
