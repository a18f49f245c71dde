// The target set follows its file_sd files: written, changed, broken,
// duplicated, added and removed under a glob.

#include "gateway/receivers/scrape/target_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace vitals::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

std::vector<std::string> Names(const std::vector<ScrapeTarget>& targets) {
  std::vector<std::string> out;
  for (const ScrapeTarget& t : targets) out.push_back(t.Name());
  return out;
}

class TargetSetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/target_set_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const char* name : {"a.json", "b.yml", "c.json", "notes.txt"}) {
      std::remove((dir_ + "/" + name).c_str());
    }
    rmdir(dir_.c_str());
  }

  // As file_sd generators should: a temporary file renamed into place.
  void Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    {
      std::ofstream out(path + ".tmp");
      out << text;
    }
    ASSERT_EQ(std::rename((path + ".tmp").c_str(), path.c_str()), 0);
  }

  std::string dir_;
};

TEST_F(TargetSetTest, FollowsAFileAsItChanges) {
  TargetSet set({dir_ + "/a.json"}, FileSdDefaults{absl::Seconds(10), absl::Seconds(5)});
  std::vector<absl::Status> errors;
  // Not there yet: nothing, and no error (files may appear later).
  EXPECT_TRUE(set.Refresh(&errors).empty());
  EXPECT_THAT(errors, IsEmpty());

  Write("a.json", R"([{"targets": ["h1:9249", "h2:9249"], "labels": {"job_name": "orders"}}])");
  TargetDiff diff = set.Refresh(&errors);
  EXPECT_THAT(Names(diff.added), ElementsAre("h1:9249", "h2:9249"));
  EXPECT_THAT(diff.changed, IsEmpty());
  EXPECT_THAT(diff.removed, IsEmpty());
  EXPECT_THAT(set.files(), ElementsAre(dir_ + "/a.json"));

  // Unchanged file: not even re-read.
  EXPECT_TRUE(set.Refresh(&errors).empty());

  // One target gone, one new, one with new labels.
  Write("a.json", R"([{"targets": ["h2:9249"], "labels": {"job_name": "payments"}},)"
                  R"( {"targets": ["h3:9249"], "labels": {"job_name": "orders"}}])");
  diff = set.Refresh(&errors);
  EXPECT_THAT(Names(diff.added), ElementsAre("h3:9249"));
  EXPECT_THAT(Names(diff.changed), ElementsAre("h2:9249"));
  EXPECT_THAT(diff.removed, ElementsAre("h1:9249"));
  EXPECT_THAT(set.targets().at("h2:9249").labels, ElementsAre(Pair("job_name", "payments")));

  // A per-group interval is a change of settings too.
  Write("a.json", R"([{"targets": ["h2:9249"], "labels": {"job_name": "payments"}},)"
                  R"( {"targets": ["h3:9249"], "labels": {"job_name": "orders", )"
                  R"("__scrape_interval__": "30s"}}])");
  diff = set.Refresh(&errors);
  EXPECT_THAT(Names(diff.changed), ElementsAre("h3:9249"));
  EXPECT_EQ(set.targets().at("h3:9249").interval, absl::Seconds(30));
  EXPECT_THAT(errors, IsEmpty());

  // A broken rewrite keeps the last good targets and is reported once.
  Write("a.json", R"([{"targets": ["h2:9249"]})");
  EXPECT_TRUE(set.Refresh(&errors).empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].message(), HasSubstr(dir_ + "/a.json"));
  EXPECT_EQ(set.targets().size(), 2u);
  EXPECT_TRUE(set.Refresh(&errors).empty());
  EXPECT_EQ(errors.size(), 1u);

  // The file gone: its targets go.
  ASSERT_EQ(std::remove((dir_ + "/a.json").c_str()), 0);
  diff = set.Refresh(&errors);
  EXPECT_THAT(diff.removed, ElementsAre("h2:9249", "h3:9249"));
  EXPECT_TRUE(set.targets().empty());
}

TEST_F(TargetSetTest, GlobsPickUpNewFilesAndDuplicatesKeepTheFirst) {
  TargetSet set({dir_ + "/*.json", dir_ + "/*.yml"},
                FileSdDefaults{absl::Seconds(10), absl::Seconds(5)});
  Write("a.json", R"([{"targets": ["h1:9249"], "labels": {"src": "a"}}])");
  Write("notes.txt", "not a file_sd file, and not matched");
  std::vector<absl::Status> errors;
  EXPECT_THAT(Names(set.Refresh(&errors).added), ElementsAre("h1:9249"));

  Write("b.yml", "- targets: [h2:9249]\n- targets: [h1:9249]\n  labels: {src: b}\n");
  Write("c.json", R"([{"targets": ["h3:9249"]}])");
  TargetDiff diff = set.Refresh(&errors);
  EXPECT_THAT(Names(diff.added), ElementsAre("h2:9249", "h3:9249"));
  EXPECT_THAT(diff.changed, IsEmpty());
  // a.json comes first in path order: its h1 stays.
  EXPECT_THAT(set.targets().at("h1:9249").labels, ElementsAre(Pair("src", "a")));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(absl::IsAlreadyExists(errors[0]));
  EXPECT_THAT(errors[0].message(), HasSubstr("b.yml: [1]: target h1:9249 is already listed"));
  EXPECT_THAT(set.files(), ElementsAre(dir_ + "/a.json", dir_ + "/b.yml", dir_ + "/c.json"));

  // Removing a.json hands h1 to b.yml's entry: same target, new labels.
  ASSERT_EQ(std::remove((dir_ + "/a.json").c_str()), 0);
  diff = set.Refresh(&errors);
  EXPECT_THAT(Names(diff.changed), ElementsAre("h1:9249"));
  EXPECT_THAT(diff.removed, IsEmpty());
  EXPECT_THAT(set.targets().at("h1:9249").labels, ElementsAre(Pair("src", "b")));
}

}  // namespace
}  // namespace vitals::gateway
