#include "scorer/waves/wave_recorder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "absl/strings/str_cat.h"

namespace vitals::scorer {
namespace {

// A registry of owned jobs: name -> migrations.
struct FakeJobs {
  std::map<std::string, v1::MigrationList> jobs;

  OwnedJobs Seam() {
    return OwnedJobs{
        [this](const std::string& job) -> std::optional<v1::MigrationList> {
          auto it = jobs.find(job);
          if (it == jobs.end()) return std::nullopt;
          return it->second;
        },
        [this](const std::string& job, const v1::Migration& m) -> absl::StatusOr<std::string> {
          auto it = jobs.find(job);
          if (it == jobs.end()) return absl::NotFoundError("no job");
          *it->second.add_migrations() = m;
          return absl::StrCat("key/", job);
        }};
  }
};

v1::Wave Wave(int64_t at) {
  v1::Wave w;
  w.set_name("w1");
  w.set_from("yarn-prod-1");
  w.set_to("k8s-prod-eu");
  w.set_at(at);
  for (const char* job : {"mine_1", "mine_2", "theirs"}) w.add_jobs(job);
  return w;
}

TEST(WaveRecorderTest, RecordsTheMigrationOnOwnedJobsOnce) {
  FakeJobs fake;
  fake.jobs["mine_1"];
  fake.jobs["mine_2"];
  std::vector<std::string> heard;
  WaveRecorder recorder(fake.Seam(), [&](const std::string& key) { heard.push_back(key); });

  EXPECT_EQ(recorder.Apply(Wave(1000)), 2u);
  EXPECT_THAT(heard, ::testing::ElementsAre("key/mine_1", "key/mine_2"));
  ASSERT_EQ(fake.jobs["mine_1"].migrations_size(), 1);
  const v1::Migration& m = fake.jobs["mine_1"].migrations(0);
  EXPECT_EQ(m.from(), "yarn-prod-1");
  EXPECT_EQ(m.to(), "k8s-prod-eu");
  EXPECT_EQ(m.at(), 1000);

  // Learned again (the record read back, an assignment, the period).
  EXPECT_EQ(recorder.ApplyAll({Wave(1000), Wave(1000)}), 0u);
  EXPECT_EQ(fake.jobs["mine_1"].migrations_size(), 1);
  EXPECT_EQ(heard.size(), 2u);
}

TEST(WaveRecorderTest, NeverHidesANewerMigrationSuchAsARollback) {
  FakeJobs fake;
  v1::Migration back;
  back.set_from("k8s-prod-eu");
  back.set_to("yarn-prod-1");
  back.set_at(2000);
  *fake.jobs["mine_1"].add_migrations() = back;
  fake.jobs["mine_2"];
  WaveRecorder recorder(fake.Seam(), nullptr);
  EXPECT_EQ(recorder.Apply(Wave(1000)), 1u);
  ASSERT_EQ(fake.jobs["mine_1"].migrations_size(), 1);
  EXPECT_EQ(fake.jobs["mine_1"].migrations(0).at(), 2000);
  EXPECT_EQ(fake.jobs["mine_2"].migrations_size(), 1);
}

TEST(WaveRecorderTest, AJobTakenOverLaterGetsTheWave) {
  FakeJobs fake;
  WaveRecorder recorder(fake.Seam(), nullptr);
  EXPECT_EQ(recorder.Apply(Wave(1000)), 0u);  // owns none yet
  fake.jobs["theirs"];                        // a failover brings it
  EXPECT_EQ(recorder.ApplyAll({Wave(1000)}), 1u);
  EXPECT_EQ(fake.jobs["theirs"].migrations_size(), 1);
}

}  // namespace
}  // namespace vitals::scorer
