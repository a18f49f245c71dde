#include "common/component/component_list.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace vitals {
namespace {

// Records the calls of every component into one shared journal.
class Recorder final : public Component {
 public:
  Recorder(std::string name, std::vector<std::string>* journal, absl::Status start = {},
           absl::Status shutdown = {})
      : name_(std::move(name)), journal_(journal), start_(start), shutdown_(shutdown) {}

  std::string_view component_name() const override { return name_; }
  absl::Status Start() override {
    journal_->push_back("start " + name_);
    return start_;
  }
  absl::Status Shutdown(absl::Time deadline) override {
    journal_->push_back("stop " + name_);
    deadline_ = deadline;
    return shutdown_;
  }
  absl::Time deadline() const { return deadline_; }

 private:
  std::string name_;
  std::vector<std::string>* journal_;
  absl::Status start_;
  absl::Status shutdown_;
  absl::Time deadline_ = absl::InfinitePast();
};

TEST(ComponentListTest, StartsInOrderAndStopsInReverseWithTheDeadline) {
  std::vector<std::string> journal;
  Recorder sink("sink", &journal), flusher("flusher", &journal), receiver("receiver", &journal);
  ComponentList list("test");
  list.Add(&sink);
  list.Add(&flusher);
  list.Add(&receiver);
  ASSERT_TRUE(list.StartAll().ok());
  EXPECT_EQ(list.started(), 3u);
  const absl::Time deadline = absl::Now() + absl::Seconds(7);
  EXPECT_TRUE(list.ShutdownAll(deadline).ok());
  EXPECT_EQ(journal, (std::vector<std::string>{"start sink", "start flusher", "start receiver",
                                               "stop receiver", "stop flusher", "stop sink"}));
  EXPECT_EQ(sink.deadline(), deadline);
  EXPECT_EQ(receiver.deadline(), deadline);
  // A second shutdown has nothing left to stop.
  EXPECT_TRUE(list.ShutdownAll(deadline).ok());
  EXPECT_EQ(journal.size(), 6u);
}

TEST(ComponentListTest, AFailedStartRollsBackWhatStartedAndNamesTheComponent) {
  std::vector<std::string> journal;
  Recorder sink("sink", &journal), flusher("flusher", &journal);
  Recorder server("http server", &journal, absl::UnavailableError("address in use"));
  Recorder never("scraper", &journal);
  ComponentList list("test");
  for (Recorder* c : {&sink, &flusher, &server, &never}) list.Add(c);
  const absl::Status s = list.StartAll();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "http server: address in use");
  EXPECT_EQ(list.started(), 0u);
  // The failed component is not stopped (it left nothing running), and
  // the one after it is never started.
  EXPECT_EQ(journal, (std::vector<std::string>{"start sink", "start flusher", "start http server",
                                               "stop flusher", "stop sink"}));
}

TEST(ComponentListTest, ShutdownAsksEveryComponentAndReturnsTheFirstError) {
  std::vector<std::string> journal;
  Recorder sink("kafka sink", &journal, {}, absl::DeadlineExceededError("3 messages undelivered"));
  Recorder flusher("flusher", &journal);
  Recorder receiver("receiver", &journal, {}, absl::InternalError("socket"));
  ComponentList list("test");
  for (Recorder* c : {&sink, &flusher, &receiver}) list.Add(c);
  ASSERT_TRUE(list.StartAll().ok());
  const absl::Status s = list.ShutdownAll(absl::Now());
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "receiver: socket");
  EXPECT_EQ(journal.back(), "stop kafka sink");
}

}  // namespace
}  // namespace vitals
