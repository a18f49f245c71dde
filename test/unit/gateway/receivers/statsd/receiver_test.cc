#include "gateway/receivers/statsd/receiver.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "prometheus/registry.h"
#include "test/unit/gateway/receivers/test_support.h"

namespace vitals::gateway {
namespace {

using ::testing::StartsWith;

constexpr char kTm[] = "10.0.0.7.taskmanager.orders-taskmanager-1-1.";
// A task of job `orders` on that TaskManager (Flink's default task scope
// format, <host>.taskmanager.<tm_id>.<job_name>.<task_name>.<subtask_index>).
constexpr char kTask[] = "10.0.0.7.taskmanager.orders-taskmanager-1-1.orders.Map.0.";

// A plain UDP client socket, as Flink's reporter has one.
class UdpClient {
 public:
  UdpClient() : fd_(socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
      ADD_FAILURE() << "cannot bind the test's UDP client";
    }
    socklen_t len = sizeof(local);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len);
    port_ = ntohs(local.sin_port);
  }
  ~UdpClient() { close(fd_); }

  void Send(uint16_t port, std::string_view payload) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(sendto(fd_, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to),
                     sizeof(to)),
              static_cast<ssize_t>(payload.size()));
  }
  uint16_t port() const { return port_; }

 private:
  int fd_;
  uint16_t port_ = 0;
};

class StatsdReceiverTest : public ::testing::Test {
 protected:
  StatsdReceiverTest() : metrics_(registry_) {}

  void Start(StatsdReceiverOptions options = {}) {
    options.listen = "127.0.0.1:0";
    receiver_ = std::make_unique<StatsdReceiver>(options, &sink_, &processes_, &metrics_,
                                                 [this] { return now_ms_.load(); });
    ASSERT_TRUE(receiver_->Start().ok());
    ASSERT_NE(receiver_->port(), 0);
  }

  // Starts a receiver whose kernel buffer holds only a few datagrams and
  // sends kBurst of them while the lane is stuck in the sink: most drop.
  static constexpr int kBurst = 2000;
  void SendBurstIntoATinyBuffer(UdpClient& client) {
    StatsdReceiverOptions options;
    options.receive_buffer_bytes = 4096;
    Start(options);
    sink_.Block();
    for (int i = 0; i < kBurst; ++i) {
      client.Send(receiver_->port(),
                  std::string(kTask) + "busyTimeMsPerSecond:" + std::to_string(i + 1) + "|g");
    }
    sink_.Unblock();
  }

  double Overloaded() {
    return CounterValue(registry_, "vitals_gateway_overload_rejected_total",
                        {{"format", "statsd"}});
  }

  prometheus::Registry registry_;
  IngestMetrics metrics_;
  LockedRecordingSink sink_;
  ProcessJobTable processes_{ProcessJobTable::Options{}};
  std::atomic<int64_t> now_ms_{1'700'000'000'000};
  std::unique_ptr<StatsdReceiver> receiver_;
};

TEST_F(StatsdReceiverTest, DatagramsBecomeSamplesWithTheSenderAsSource) {
  Start();
  UdpClient client;
  client.Send(receiver_->port(), std::string(kTask) + "busyTimeMsPerSecond:400|g");
  ASSERT_TRUE(WaitFor([&] { return sink_.size() == 1; }));
  client.Send(receiver_->port(), std::string(kTm) + "Status.JVM.CPU.Load:0.25|g");
  client.Send(receiver_->port(), std::string(kTm) + "Status.JVM.Threads.Count:42|g\n" + kTm +
                                     "Status.JVM.Memory.Heap.Used:5.5132808E7|g");
  ASSERT_TRUE(WaitFor([&] { return sink_.size() == 4; }));
  const std::vector<RecordedSample> samples = sink_.samples();
  EXPECT_EQ(samples[1].metric, "Status_JVM_CPU_Load");
  EXPECT_EQ(samples[1].scope, v1::SCOPE_TASKMANAGER);
  EXPECT_EQ(samples[1].source, "statsd:127.0.0.1:" + std::to_string(client.port()));
  EXPECT_EQ(samples[1].timestamp_ms, now_ms_.load());
  // The TaskManager's own lines go to the job its task lines named.
  EXPECT_EQ(samples[1].job_name, "orders");
  EXPECT_DOUBLE_EQ(samples[3].value, 5.5132808e7);
  ASSERT_TRUE(WaitFor([&] { return metrics_.received("statsd") == 4; }));
  EXPECT_EQ(receiver_->datagrams(), 3u);
}

TEST_F(StatsdReceiverTest, AProcessWithoutJobLinesGivesNoJob) {
  // A TaskManager with no slot in use sends only its own lines.
  Start();
  UdpClient client;
  client.Send(receiver_->port(), std::string(kTm) + "Status.JVM.CPU.Load:0.25|g");
  ASSERT_TRUE(WaitFor([&] { return receiver_->datagrams() == 1; }));
  EXPECT_TRUE(receiver_->Shutdown(absl::InfiniteFuture()).ok());
  EXPECT_EQ(sink_.size(), 0u);
  EXPECT_EQ(processes_.counts().unattributed, 1u);
}

TEST_F(StatsdReceiverTest, BadLinesAreCountedByReasonAndGoodOnesKept) {
  Start();
  UdpClient client;
  client.Send(receiver_->port(),
              "10.0.0.5.jobmanager.orders.lastCheckpointExternalPath:s3://x|g\n"
              "10.0.0.5.jobmanager.orders.numRestarts:3|g\n"
              "not.a.flink.identifier:1|g\n"
              "broken line\n"
              "10.0.0.5.jobmanager.orders.numRestarts:1|c");
  ASSERT_TRUE(WaitFor([&] { return receiver_->datagrams() == 1; }));
  EXPECT_TRUE(receiver_->Shutdown(absl::InfiniteFuture()).ok());  // publishes what the lane counted
  EXPECT_EQ(sink_.size(), 1u);
  EXPECT_EQ(metrics_.received("statsd"), 1);
  EXPECT_EQ(metrics_.rejected("statsd", "invalid_value"), 1);
  EXPECT_EQ(metrics_.rejected("statsd", "scope"), 1);
  EXPECT_EQ(metrics_.rejected("statsd", "parse_error"), 1);
  EXPECT_EQ(metrics_.rejected("statsd", "unsupported_type"), 1);
}

TEST_F(StatsdReceiverTest, FlinksResetZeroIsDroppedAndALoneZeroReleasedByTheTimer) {
  Start();
  UdpClient client;
  const std::string lag = std::string(kTask) + "checkpointStartDelayNanos:";
  client.Send(receiver_->port(), lag + "0|g");
  client.Send(receiver_->port(), lag + "-1|g");
  client.Send(receiver_->port(), lag + "-1|g");
  // A zero with nothing after it is a reading, once the hold time is over.
  client.Send(receiver_->port(), "10.0.0.5.jobmanager.orders.numRestarts:0|g");
  ASSERT_TRUE(WaitFor([&] { return receiver_->datagrams() == 4; }));
  EXPECT_EQ(sink_.size(), 1u);
  now_ms_ += 100;  // the hold time passes on the receiver's clock
  ASSERT_TRUE(WaitFor([&] { return sink_.size() == 2; }));
  const std::vector<RecordedSample> samples = sink_.samples();
  EXPECT_EQ(samples[0].metric, "checkpointStartDelayNanos");
  EXPECT_EQ(samples[0].value, -1);
  EXPECT_EQ(samples[1].metric, "numRestarts");
  EXPECT_EQ(samples[1].value, 0);
}

TEST_F(StatsdReceiverTest, DatagramsThatFindTheBufferFullAreCountedAsOverload) {
  UdpClient client;
  SendBurstIntoATinyBuffer(client);
  // Drops are reported with the next datagram that gets in.
  ASSERT_TRUE(WaitFor([&] { return receiver_->datagrams() > 0; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  client.Send(receiver_->port(), std::string(kTask) + "busyTimeMsPerSecond:999999|g");
  ASSERT_TRUE(WaitFor([&] {
    return receiver_->datagrams() + receiver_->overloaded() == kBurst + 1;
  })) << receiver_->datagrams()
      << " read, " << receiver_->overloaded() << " dropped";
  EXPECT_GT(receiver_->overloaded(), 0u);
  EXPECT_EQ(Overloaded(), static_cast<double>(receiver_->overloaded()));
  ASSERT_TRUE(WaitFor([&] { return sink_.size() == receiver_->datagrams(); }));
}

TEST_F(StatsdReceiverTest, DropsOfABurstAreCountedWithoutAnotherDatagram) {
  UdpClient client;
  SendBurstIntoATinyBuffer(client);
  // Nothing follows the burst: the lane's timer reads the socket's drops.
  ASSERT_TRUE(WaitFor([&] { return receiver_->datagrams() + receiver_->overloaded() == kBurst; }))
      << receiver_->datagrams() << " read, " << receiver_->overloaded() << " dropped";
  EXPECT_GT(receiver_->overloaded(), 0u);
  EXPECT_EQ(Overloaded(), static_cast<double>(receiver_->overloaded()));
}

TEST_F(StatsdReceiverTest, OversizedDatagramIsRefused) {
  StatsdReceiverOptions options;
  options.max_datagram_bytes = 512;
  Start(options);
  UdpClient client;
  client.Send(receiver_->port(),
              std::string(kTask) + "busyTimeMsPerSecond:" + std::string(600, '1') + "|g");
  client.Send(receiver_->port(), std::string(kTask) + "busyTimeMsPerSecond:500|g");
  ASSERT_TRUE(WaitFor([&] { return sink_.size() == 1; }));
  EXPECT_EQ(metrics_.rejected("statsd", "too_large"), 1);
}

TEST_F(StatsdReceiverTest, SeveralLanesShareThePort) {
  StatsdReceiverOptions options;
  options.threads = 3;
  Start(options);
  std::vector<std::unique_ptr<UdpClient>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<UdpClient>());
    // A repeat from each sender: dropped only if it reaches the same lane.
    for (int r = 0; r < 2; ++r) {
      clients.back()->Send(receiver_->port(), std::string(kTask) + "busyTimeMsPerSecond:500|g");
    }
  }
  ASSERT_TRUE(WaitFor([&] { return receiver_->datagrams() == 16; }));
  EXPECT_TRUE(receiver_->Shutdown(absl::InfiniteFuture()).ok());
  EXPECT_EQ(sink_.size(), 8u);
  for (const RecordedSample& s : sink_.samples()) EXPECT_THAT(s.source, StartsWith("statsd:127."));
}

// receive_batch datagrams per recvmmsg (1: a recvmsg each): while the
// lane is stuck in the sink the datagrams of several senders pile up in the
// socket, then come out in full batches. Every datagram must be delivered
// once, each with its own sender, in each sender's order.
class StatsdReceiverBatchTest : public StatsdReceiverTest,
                                public ::testing::WithParamInterface<int> {};

TEST_P(StatsdReceiverBatchTest, EveryDatagramOfABatchIsDeliveredWithItsOwnSender) {
  StatsdReceiverOptions options;
  options.receive_batch = GetParam();
  Start(options);
  constexpr int kClients = 4;
  constexpr int kPerClient = 150;
  std::vector<std::unique_ptr<UdpClient>> clients;
  for (int c = 0; c < kClients; ++c) clients.push_back(std::make_unique<UdpClient>());
  sink_.Block();
  for (int i = 0; i < kPerClient; ++i) {
    for (int c = 0; c < kClients; ++c) {
      // The value tells the sender and the datagram; two lines a datagram.
      const std::string v = std::to_string((c + 1) * 100'000 + i + 1);
      clients[c]->Send(receiver_->port(), absl::StrCat(kTask, "busyTimeMsPerSecond:", v, "|g\n",
                                                       kTask, "idleTimeMsPerSecond:", v, "|g"));
    }
  }
  sink_.Unblock();
  constexpr size_t kLines = 2 * kClients * kPerClient;
  ASSERT_TRUE(WaitFor([&] { return sink_.size() == kLines; }))
      << sink_.size() << " samples, " << receiver_->datagrams() << " datagrams, "
      << receiver_->overloaded() << " dropped";
  EXPECT_EQ(receiver_->datagrams(), static_cast<uint64_t>(kClients * kPerClient));
  EXPECT_EQ(receiver_->overloaded(), 0u);
  // The lines count reaches the self-metrics on the lane's timer, with no
  // datagram after the last.
  ASSERT_TRUE(WaitFor([&] { return metrics_.received("statsd") == kLines; }));

  std::vector<int> next(kClients, 1);
  for (const RecordedSample& s : sink_.samples()) {
    const int c = static_cast<int>(s.value) / 100'000 - 1;
    const int i = static_cast<int>(s.value) % 100'000;
    ASSERT_GE(c, 0);
    ASSERT_LT(c, kClients);
    EXPECT_EQ(s.source, "statsd:127.0.0.1:" + std::to_string(clients[c]->port()));
    EXPECT_EQ(i, next[c]) << "sender " << c;
    if (s.metric == "idleTimeMsPerSecond") next[c] = i + 1;
  }
  for (int c = 0; c < kClients; ++c) EXPECT_EQ(next[c], kPerClient + 1);
}

INSTANTIATE_TEST_SUITE_P(ReceiveBatch, StatsdReceiverBatchTest, ::testing::Values(1, 3, 64));

TEST_F(StatsdReceiverTest, ShutdownIsSafeTwiceAndWithoutStart) {
  StatsdReceiver never_started({}, &sink_, &processes_, &metrics_, [] { return int64_t{0}; });
  EXPECT_TRUE(never_started.Shutdown(absl::InfiniteFuture()).ok());
  EXPECT_TRUE(never_started.Shutdown(absl::InfiniteFuture()).ok());
  Start();
  UdpClient client;
  // Shutdown hands on a held zero.
  client.Send(receiver_->port(), "10.0.0.5.jobmanager.orders.numRestarts:0|g");
  ASSERT_TRUE(WaitFor([&] { return receiver_->datagrams() == 1; }));
  EXPECT_TRUE(receiver_->Shutdown(absl::InfiniteFuture()).ok());
  EXPECT_EQ(sink_.size(), 1u);
  EXPECT_TRUE(receiver_->Shutdown(absl::InfiniteFuture()).ok());
  EXPECT_FALSE(receiver_->Start().ok());
}

TEST(StatsdReceiverOptions, ValidateNamesTheKey) {
  StatsdReceiverOptions options;
  options.listen = "nonsense";
  EXPECT_THAT(std::string(options.Validate().message()), StartsWith("statsd.listen"));
  options = {};
  options.threads = 0;
  EXPECT_THAT(std::string(options.Validate().message()), StartsWith("statsd.threads"));
  options = {};
  options.receive_batch = 0;
  EXPECT_THAT(std::string(options.Validate().message()), StartsWith("statsd.receive_batch"));
  options = {};
  options.normalize.scope_formats.delimiter = ':';
  EXPECT_THAT(std::string(options.Validate().message()), StartsWith("statsd.scope_formats"));
}

TEST(StatsdReceiverOptions, ParsedFromYamlRejectingUnknownKeys) {
  config::ConfigErrors errors;
  YAML::Node node = YAML::Load(
      "listen: 127.0.0.1:9125\n"
      "threads: 2\n"
      "hold: 50ms\n"
      "scope_formats:\n"
      "  delimiter: '|'\n"
      "  operator: <host>.taskmanager.<tm_id>.<job_name>.<task_name>.<operator_name>."
      "<subtask_index>\n"
      "  tm_jb: oops\n"
      "recieve_buffer_bytes: 1\n");
  config::YamlMap map(node, "gateway.statsd", &errors);
  StatsdReceiverOptions options = ParseStatsdReceiverOptions(map);
  EXPECT_EQ(options.listen, "127.0.0.1:9125");
  EXPECT_EQ(options.threads, 2);
  EXPECT_EQ(options.normalize.hold_ms, 50);
  EXPECT_EQ(options.normalize.scope_formats.delimiter, '|');
  ASSERT_EQ(errors.errors().size(), 2u);
  EXPECT_THAT(errors.errors()[0], ::testing::HasSubstr("gateway.statsd.scope_formats.tm_jb"));
  EXPECT_THAT(errors.errors()[1], ::testing::HasSubstr("gateway.statsd.recieve_buffer_bytes"));
}

}  // namespace
}  // namespace vitals::gateway
