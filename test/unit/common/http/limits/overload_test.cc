// The server sheds writes past max_inflight_requests with 429 and
// Retry-After, counts each refusal through its overload handler, keeps
// answering reads, and takes writes again once the handlers free up.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/http/client.h"
#include "common/http/server.h"

namespace vitals::http {
namespace {

using ::testing::HasSubstr;

// Generous: the box running the tests is small and busy.
constexpr absl::Duration kDeadline = absl::Seconds(30);

class OverloadTest : public ::testing::Test {
 protected:
  void StartServer(int threads, int max_inflight, absl::Duration retry_after) {
    ServerOptions options;
    options.address = "127.0.0.1";
    options.threads = threads;
    options.max_inflight_requests = max_inflight;
    options.retry_after = retry_after;
    server_ = std::make_unique<Server>(options);
    // Blocks until Release(): a handler that is slow for as long as the
    // test wants.
    server_->Route(
        "POST", "/block",
        [this](const Request& r) {
          absl::MutexLock lock(&mu_);
          ++entered_;
          mu_.Await(absl::Condition(&released_));
          return Response::Text(200, std::string("done ") + std::string(r.body()));
        },
        "ingest");
    server_->Route("GET", "/healthz", [](const Request&) { return Response::Text(200, "ok"); });
    server_->OnOverload([this](std::string_view label) {
      absl::MutexLock lock(&mu_);
      overloaded_.emplace_back(label);
    });
    ASSERT_TRUE(server_->Start().ok());
  }

  void TearDown() override {
    Release();
    for (auto& t : clients_) t.join();
    if (server_) EXPECT_TRUE(server_->Shutdown(absl::InfiniteFuture()).ok());
  }

  // POSTs /block on its own connection from a thread; the answer lands in
  // the returned slot.
  std::shared_ptr<std::optional<absl::StatusOr<ClientResponse>>> PostInBackground(
      std::string body) {
    auto slot = std::make_shared<std::optional<absl::StatusOr<ClientResponse>>>();
    const uint16_t port = server_->port();
    clients_.emplace_back([this, slot, port, body = std::move(body)] {
      HttpClient client("127.0.0.1", port, absl::Seconds(60));
      auto response = client.Send("POST", "/block", body);
      absl::MutexLock lock(&mu_);
      *slot = std::move(response);
    });
    return slot;
  }

  bool WaitForEntered(int n) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return entered_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), kDeadline);
  }

  bool WaitForAnswer(const std::shared_ptr<std::optional<absl::StatusOr<ClientResponse>>>& slot) {
    absl::MutexLock lock(&mu_);
    auto answered = [&slot]() { return slot->has_value(); };
    return mu_.AwaitWithTimeout(absl::Condition(&answered), kDeadline);
  }

  void Release() {
    absl::MutexLock lock(&mu_);
    released_ = true;
  }

  std::vector<std::string> Overloaded() {
    absl::MutexLock lock(&mu_);
    return overloaded_;
  }

  std::unique_ptr<Server> server_;
  std::vector<std::thread> clients_;
  absl::Mutex mu_;
  int entered_ ABSL_GUARDED_BY(mu_) = 0;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> overloaded_ ABSL_GUARDED_BY(mu_);
};

TEST_F(OverloadTest, FullCapGets429WithRetryAfterThenRecoversAfterRelease) {
  StartServer(/*threads=*/2, /*max_inflight=*/2, absl::Milliseconds(2500));
  auto first = PostInBackground("a");
  auto second = PostInBackground("b");
  ASSERT_TRUE(WaitForEntered(2)) << "both handler threads should be busy";

  HttpClient client("127.0.0.1", server_->port());
  for (int i = 0; i < 3; ++i) {
    auto refused = client.Send("POST", "/block", "c");
    ASSERT_TRUE(refused.ok()) << refused.status();
    EXPECT_EQ(refused->status, 429);
    EXPECT_EQ(refused->Header("Retry-After"), "3");  // 2.5 s, rounded up
    EXPECT_THAT(refused->body, HasSubstr("too many requests"));
  }
  EXPECT_THAT(Overloaded(), ::testing::ElementsAre("ingest", "ingest", "ingest"));
  // Reads are not shed: probes and scrapes still answer, on the same
  // keep-alive connection that was refused.
  auto health = client.Send("GET", "/healthz");
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 200);
  {
    absl::MutexLock lock(&mu_);
    EXPECT_EQ(entered_, 2) << "a refused request must not reach its handler";
  }

  Release();
  ASSERT_TRUE(WaitForAnswer(first));
  ASSERT_TRUE(WaitForAnswer(second));
  for (const auto& slot : {first, second}) {
    absl::MutexLock lock(&mu_);
    ASSERT_TRUE((*slot)->ok()) << (*slot)->status();
    EXPECT_EQ((**slot)->status, 200);
  }
  auto again = client.Send("POST", "/block", "d");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(again->body, "done d\n");
  EXPECT_EQ(Overloaded().size(), 3u);
}

// Queued requests hold a slot too: with one handler thread busy and a cap
// of two, of two more requests one waits in the queue and the other is
// refused, whichever the server reads first.
TEST_F(OverloadTest, QueuedRequestsCountTowardsTheCap) {
  StartServer(/*threads=*/1, /*max_inflight=*/2, absl::Seconds(1));
  auto running = PostInBackground("running");
  ASSERT_TRUE(WaitForEntered(1));
  auto b = PostInBackground("b");
  auto c = PostInBackground("c");
  {
    absl::MutexLock lock(&mu_);
    auto one_answered = [&]() { return b->has_value() || c->has_value(); };
    ASSERT_TRUE(mu_.AwaitWithTimeout(absl::Condition(&one_answered), kDeadline));
    const auto& refused = b->has_value() ? *b : *c;
    ASSERT_TRUE(refused->ok()) << refused->status();
    EXPECT_EQ(refused->value().status, 429);
    EXPECT_EQ(refused->value().Header("Retry-After"), "1");
    EXPECT_EQ(entered_, 1);
  }
  Release();
  ASSERT_TRUE(WaitForAnswer(running));
  ASSERT_TRUE(WaitForAnswer(b));
  ASSERT_TRUE(WaitForAnswer(c));
  absl::MutexLock lock(&mu_);
  int ok = 0;
  int refused = 0;
  for (const auto& slot : {running, b, c}) {
    ASSERT_TRUE((*slot)->ok()) << (*slot)->status();
    if ((**slot)->status == 200) ++ok;
    if ((**slot)->status == 429) ++refused;
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(entered_, 2);
}

TEST_F(OverloadTest, ManyConcurrentWritersNeverExceedTheCap) {
  // Handlers that return at once: under a burst every request gets either
  // its answer or a 429, never a hang or a dropped connection.
  ServerOptions options;
  options.address = "127.0.0.1";
  options.threads = 2;
  options.max_inflight_requests = 4;
  server_ = std::make_unique<Server>(options);
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  server_->Route("PUT", "/work", [&](const Request&) {
    const int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    absl::SleepFor(absl::Milliseconds(2));
    --running;
    return Response::Text(200, "");
  });
  ASSERT_TRUE(server_->Start().ok());
  std::atomic<int> answered{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&] {
      HttpClient client("127.0.0.1", server_->port());
      for (int i = 0; i < 25; ++i) {
        auto r = client.Send("PUT", "/work", "x");
        if (r.ok() && (r->status == 200 || r->status == 429)) {
          ++answered;
        } else {
          ++failed;
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(answered.load(), 200);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_LE(peak.load(), 2) << "handlers run on the handler threads only";
  EXPECT_TRUE(server_->Shutdown(absl::InfiniteFuture()).ok());  // before `running` and `peak` go
}

}  // namespace
}  // namespace vitals::http
