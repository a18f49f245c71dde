#include "scorer/waves/wave_book.h"

#include <gtest/gtest.h>

namespace vitals::scorer {
namespace {

v1::Wave MakeWave(const std::string& name, int64_t at) {
  v1::Wave w;
  w.set_name(name);
  w.set_from("yarn-prod-1");
  w.set_to("k8s-prod-eu");
  w.set_at(at);
  w.add_jobs("job_000");
  return w;
}

TEST(WaveBookTest, KeepsTheNewestRecordOfEachNameAndForgetsOnATombstone) {
  WaveBook book;
  v1::Wave w1 = MakeWave("w1", 1000);
  EXPECT_EQ(book.Apply("w1", w1.SerializeAsString()), WaveBook::Outcome::kAdded);
  EXPECT_EQ(book.Apply("w1", w1.SerializeAsString()), WaveBook::Outcome::kUnchanged);
  EXPECT_EQ(book.Put(w1), WaveBook::Outcome::kUnchanged);
  const uint64_t version = book.version();

  w1.add_jobs("job_001");
  EXPECT_EQ(book.Apply("w1", w1.SerializeAsString()), WaveBook::Outcome::kReplaced);
  EXPECT_GT(book.version(), version);
  ASSERT_TRUE(book.Get("w1").has_value());
  EXPECT_EQ(book.Get("w1")->jobs_size(), 2);

  EXPECT_EQ(book.Apply("w1", ""), WaveBook::Outcome::kForgotten);
  EXPECT_FALSE(book.Get("w1").has_value());
  EXPECT_EQ(book.size(), 0u);
}

TEST(WaveBookTest, RefusesRecordsThatAreNotWavesOrWhoseNameIsNotTheKey) {
  WaveBook book;
  EXPECT_EQ(book.Apply("w1", "\xff\xff not a proto"), WaveBook::Outcome::kMalformed);
  EXPECT_EQ(book.Apply("w2", MakeWave("w1", 1).SerializeAsString()), WaveBook::Outcome::kMalformed);
  EXPECT_EQ(book.Apply("", MakeWave("", 1).SerializeAsString()), WaveBook::Outcome::kMalformed);
  EXPECT_EQ(book.size(), 0u);
}

TEST(WaveBookTest, ListsNewestFirstThenByNameAndTheRecentOnes) {
  WaveBook book;
  book.Put(MakeWave("b", 2000));
  book.Put(MakeWave("a", 2000));
  book.Put(MakeWave("old", 1000));
  book.Put(MakeWave("new", 3000));
  std::vector<std::string> names;
  for (const v1::Wave& w : book.List()) names.push_back(w.name());
  EXPECT_EQ(names, (std::vector<std::string>{"new", "a", "b", "old"}));
  names.clear();
  for (const v1::Wave& w : book.Since(2000)) names.push_back(w.name());
  EXPECT_EQ(names, (std::vector<std::string>{"new", "a", "b"}));
}

}  // namespace
}  // namespace vitals::scorer
