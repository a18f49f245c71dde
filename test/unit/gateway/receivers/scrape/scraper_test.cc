// The scraper against real HTTP servers on 127.0.0.1 serving what Flink's
// PrometheusReporter serves (rendered by the simulator): a healthy target,
// a target that hangs, one that refuses connections, and the self-metrics
// that tell them apart. No assertion depends on how fast the box is: waits
// poll with generous deadlines, and "does not delay" is shown by the
// healthy target being scraped again and again while the hung target's
// first request is still held open by its server.

#include "gateway/receivers/scrape/scraper.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/http/server.h"
#include "prometheus/registry.h"
#include "sim/fleet.h"
#include "sim/prometheus_text.h"
#include "sim/scrape.h"
#include "test/unit/gateway/receivers/test_support.h"

namespace vitals::gateway {
namespace {

using ::testing::HasSubstr;

// A metric's value with exactly these labels; nullopt when the series does
// not exist.
std::optional<double> Value(prometheus::Registry& registry, const std::string& name,
                            const std::map<std::string, std::string>& labels = {}) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::map<std::string, std::string> got;
      for (const prometheus::ClientMetric::Label& l : metric.label) got[l.name] = l.value;
      if (got != labels) continue;
      return family.type == prometheus::MetricType::Counter ? metric.counter.value
                                                            : metric.gauge.value;
    }
  }
  return std::nullopt;
}

// An HTTP server on 127.0.0.1 whose /metrics answer the test controls.
class FlinkEndpoint {
 public:
  explicit FlinkEndpoint(std::string body) : body_(std::move(body)) {
    http::ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<http::Server>(options);
    server_->Route("GET", "/metrics", [this](const http::Request& r) { return Serve(r); });
    server_->Route("GET", "/error", [](const http::Request&) {
      return http::Response::Text(500, "reporter broken");
    });
    server_->Route("GET", "/garbage", [this](const http::Request&) {
      ++requests_;
      return http::Response::Text(200, "flink_ok 1\nthis is { not prometheus\n");
    });
  }
  ~FlinkEndpoint() {
    Release();
    EXPECT_TRUE(server_->Shutdown(absl::InfiniteFuture()).ok());
  }

  bool Start() { return server_->Start().ok(); }
  std::string address() const { return absl::StrCat("127.0.0.1:", server_->port()); }
  uint16_t port() const { return server_->port(); }

  // From now on each request is held open until Release().
  void Hang() {
    std::lock_guard<std::mutex> lock(mu_);
    hang_ = true;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      hang_ = false;
    }
    cv_.notify_all();
  }

  int requests() const { return requests_.load(); }
  int held() const { return held_.load(); }
  std::vector<int64_t> request_times_ms() const {
    std::lock_guard<std::mutex> lock(mu_);
    return times_;
  }
  std::string accept() const {
    std::lock_guard<std::mutex> lock(mu_);
    return accept_;
  }

 private:
  http::Response Serve(const http::Request& request) {
    ++requests_;
    {
      std::unique_lock<std::mutex> lock(mu_);
      times_.push_back(absl::ToUnixMillis(absl::Now()));
      accept_ = std::string(request.Header("Accept"));
      if (hang_) {
        ++held_;
        cv_.wait(lock, [this] { return !hang_; });
        --held_;
      }
    }
    http::Response r;
    r.content_type = std::string(sim::kPrometheusTextContentType);
    r.body = body_;
    return r;
  }

  const std::string body_;
  std::unique_ptr<http::Server> server_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool hang_ = false;
  std::atomic<int> requests_{0};
  std::atomic<int> held_{0};
  std::vector<int64_t> times_;
  std::string accept_;
};

std::string PromFiltered(std::string value) {
  for (char& c : value) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != ':' && c != '_') c = '_';
  }
  return value;
}

size_t SampleLines(std::string_view body) {
  size_t n = 0;
  size_t at = 0;
  while (at < body.size()) {
    size_t end = body.find('\n', at);
    if (end == std::string_view::npos) end = body.size();
    if (end > at && body[at] != '#') ++n;
    at = end + 1;
  }
  return n;
}

class ScraperTest : public ::testing::Test {
 protected:
  static constexpr absl::Duration kInterval = absl::Milliseconds(300);
  static constexpr absl::Duration kTimeout = absl::Milliseconds(250);

  ScraperTest() : ingest_(registry_) {}

  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/scraper_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    sim::FleetSpec spec;
    spec.jobs = 1;
    spec.nodes = 1;
    auto fleet = sim::Fleet::Create(spec);
    ASSERT_TRUE(fleet.ok()) << fleet.status();
    fleet->AdvanceTo(spec.start_ms + 10'000);
    std::vector<sim::ScrapeBody> bodies;
    sim::RenderScrapes(*fleet, &bodies);
    ASSERT_GE(bodies.size(), 2u);
    // A TaskManager: process-level and job-scoped families.
    tm_body_ = bodies[1].body;
    tm_host_ = bodies[1].host;
    job_name_ = fleet->jobs()[0].name;
    cluster_ = fleet->jobs()[0].cluster;
  }

  void TearDown() override {
    if (scraper_) EXPECT_TRUE(scraper_->Shutdown(absl::InfiniteFuture()).ok());
    std::remove((dir_ + "/flink.json").c_str());
    rmdir(dir_.c_str());
  }

  void WriteFileSd(const std::string& json) {
    const std::string path = dir_ + "/flink.json";
    {
      std::ofstream out(path + ".tmp");
      out << json;
    }
    ASSERT_EQ(std::rename((path + ".tmp").c_str(), path.c_str()), 0);
  }

  void StartScraper(const TimeSource& time = SystemTimeSource::Get(),
                    absl::Duration interval = kInterval) {
    ScrapeOptions options;
    options.enabled = true;
    options.files = {dir_ + "/*.json"};
    options.interval = interval;
    options.timeout = kTimeout;
    options.refresh_interval = absl::Milliseconds(100);
    scraper_ = std::make_unique<Scraper>(options, &sink_, &processes_, &ingest_, registry_, time);
    ASSERT_TRUE(scraper_->Start().ok());
  }

  std::optional<double> Up(const std::string& target) {
    return Value(registry_, "vitals_gateway_scrape_target_up", {{"target", target}});
  }
  std::optional<double> Duration(const std::string& target) {
    return Value(registry_, "vitals_gateway_scrape_duration_seconds", {{"target", target}});
  }
  std::optional<double> Samples(const std::string& target) {
    return Value(registry_, "vitals_gateway_scrape_samples", {{"target", target}});
  }
  double Scrapes(const std::string& result) {
    return Value(registry_, "vitals_gateway_scrapes_total", {{"result", result}}).value_or(0);
  }

  // A port nothing listens on: a server's, after it stopped.
  static uint16_t ClosedPort() {
    http::ServerOptions options;
    options.address = "127.0.0.1";
    http::Server server(options);
    if (!server.Start().ok()) return 0;
    const uint16_t port = server.port();
    EXPECT_TRUE(server.Shutdown(absl::InfiniteFuture()).ok());
    return port;
  }

  std::string dir_;
  std::string tm_body_, tm_host_, job_name_, cluster_;
  prometheus::Registry registry_;
  IngestMetrics ingest_;
  LockedRecordingSink sink_;
  ProcessJobTable processes_{ProcessJobTable::Options{}};
  std::unique_ptr<Scraper> scraper_;
};

TEST_F(ScraperTest, HealthyTargetKeepsItsScheduleWhileOthersHangOrRefuse) {
  FlinkEndpoint healthy(tm_body_);
  FlinkEndpoint hung(tm_body_);
  ASSERT_TRUE(healthy.Start());
  ASSERT_TRUE(hung.Start());
  hung.Hang();
  const uint16_t closed = ClosedPort();
  ASSERT_NE(closed, 0);
  const std::string refused = absl::StrCat("127.0.0.1:", closed);

  // The hung and refusing targets are listed first and share the healthy
  // target's group and labels.
  WriteFileSd(absl::StrCat(R"([{"targets": [")", hung.address(), R"(", ")", refused, R"(", ")",
                           healthy.address(), R"("], "labels": {"job_name": ")", job_name_,
                           R"(", "cluster": ")", cluster_,
                           R"(", "pod": "tm-pod-1", "host": "from-file-sd"}}])"));
  StartScraper();
  EXPECT_EQ(scraper_->targets(), 3u);
  EXPECT_EQ(Value(registry_, "vitals_gateway_scrape_targets"), 3);

  // Six scrapes of the healthy target while the hung target's first
  // request is still held: nothing waits behind a hung target.
  ASSERT_TRUE(WaitFor([&] { return hung.held() >= 1; }));
  ASSERT_TRUE(WaitFor([&] { return healthy.requests() >= 6; }, std::chrono::seconds(20)));
  EXPECT_GE(hung.held(), 1);
  EXPECT_THAT(healthy.accept(), HasSubstr("version=0.0.4"));

  // On schedule: not more often than the interval. Five gaps span five
  // intervals; the bound leaves one interval for the first request to
  // have reached the server late on a loaded box.
  const std::vector<int64_t> times = healthy.request_times_ms();
  ASSERT_GE(times.size(), 6u);
  EXPECT_GE(times[5] - times[0], 4 * absl::ToInt64Milliseconds(kInterval));

  // Self-metrics: healthy up with its sample count; the others down.
  const size_t per_scrape = SampleLines(tm_body_);
  EXPECT_TRUE(WaitFor([&] {
    const double seconds = Duration(healthy.address()).value_or(0);
    return Up(healthy.address()) == 1 && Samples(healthy.address()) == per_scrape && seconds > 0 &&
           seconds < absl::ToDoubleSeconds(kTimeout);
  }));
  ASSERT_TRUE(WaitFor([&] { return Scrapes("timeout") >= 1 && Scrapes("unreachable") >= 1; }));
  EXPECT_EQ(Up(hung.address()), 0);
  EXPECT_EQ(Up(refused), 0);
  EXPECT_EQ(Samples(hung.address()), 0);
  EXPECT_GE(Duration(hung.address()).value_or(0), absl::ToDoubleSeconds(kTimeout));
  EXPECT_GE(Scrapes("ok"), 1);
  EXPECT_GE(ingest_.rejected("scrape", "timeout"), 1);
  EXPECT_GE(ingest_.rejected("scrape", "unreachable"), 1);
  EXPECT_GE(ingest_.received("scrape"), static_cast<double>(per_scrape));
  EXPECT_EQ(std::fmod(ingest_.received("scrape"), static_cast<double>(per_scrape)), 0);

  // The healthy target's samples, whole scrapes of them, as the Pushgateway
  // path would give them: for process-level samples the job its job-scoped
  // samples name (not the file_sd job_name label), its cluster,
  // file_sd labels only where the sample has none of its own. Read after
  // Shutdown, which waits for scrapes in flight.
  EXPECT_TRUE(scraper_->Shutdown(absl::InfiniteFuture()).ok());
  const std::vector<RecordedSample> samples = sink_.samples();
  ASSERT_GE(samples.size(), per_scrape);
  EXPECT_EQ(samples.size() % per_scrape, 0u);
  size_t process_level = 0;
  for (const RecordedSample& s : samples) {
    EXPECT_EQ(s.source, "scrape:" + healthy.address());
    // Label values filtered as on the Pushgateway path.
    EXPECT_EQ(s.job_name, PromFiltered(job_name_)) << s.metric;
    EXPECT_EQ(s.cluster, cluster_);
    EXPECT_EQ(s.labels.at("pod"), "tm_pod_1") << s.metric;
    EXPECT_FALSE(s.labels.contains("job_name"));
    EXPECT_FALSE(s.labels.contains("cluster"));
    EXPECT_EQ(s.labels.at("host"), PromFiltered(tm_host_)) << s.metric;
    process_level += s.scope == v1::SCOPE_TASKMANAGER;
  }
  EXPECT_GT(process_level, 0u);

  hung.Release();
}

// The ticks are the gateway's time source's, not the wall clock's: on time
// that stands still nothing is scraped, and each step over a tick scrapes
// once (the in-process gateway tests run on such time).
TEST_F(ScraperTest, TicksFollowTheGatewaysTimeSource) {
  FlinkEndpoint target(tm_body_);
  ASSERT_TRUE(target.Start());
  WriteFileSd(absl::StrCat(R"([{"targets": [")", target.address(), R"("]}])"));
  constexpr int64_t kIntervalMs = 10'000;
  ManualTimeSource time(1'700'000'000'000);
  StartScraper(time, absl::Milliseconds(kIntervalMs));
  ASSERT_TRUE(WaitFor([&] { return scraper_->targets() == 1; }));
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(target.requests(), 0) << "scraped before the time source reached a tick";

  for (int scrapes = 1; scrapes <= 3; ++scrapes) {
    time.Advance(absl::Milliseconds(kIntervalMs));
    ASSERT_TRUE(WaitFor([&] { return target.requests() >= scrapes; })) << scrapes;
    absl::SleepFor(absl::Milliseconds(200));
    EXPECT_EQ(target.requests(), scrapes) << "one scrape per tick passed";
  }
  // Before `time` goes: the loops wait on it.
  EXPECT_TRUE(scraper_->Shutdown(absl::InfiniteFuture()).ok());
  scraper_.reset();
}

TEST_F(ScraperTest, FollowsFileSdAndDropsTheSeriesOfRemovedTargets) {
  FlinkEndpoint a(tm_body_);
  FlinkEndpoint b(tm_body_);
  ASSERT_TRUE(a.Start());
  ASSERT_TRUE(b.Start());
  WriteFileSd(absl::StrCat(R"([{"targets": [")", a.address(), R"("]}])"));
  StartScraper();
  ASSERT_TRUE(WaitFor([&] { return Up(a.address()) == 1; }));
  EXPECT_EQ(Up(b.address()), std::nullopt);

  // a leaves, b arrives; picked up by the refresher, no restart.
  WriteFileSd(absl::StrCat(R"([{"targets": [")", b.address(), R"("], "labels": {"x": "yy"}}])"));
  ASSERT_TRUE(WaitFor([&] { return Up(b.address()) == 1; }));
  ASSERT_TRUE(WaitFor([&] { return !Up(a.address()).has_value(); }));
  EXPECT_FALSE(Duration(a.address()).has_value());
  EXPECT_FALSE(Samples(a.address()).has_value());
  EXPECT_EQ(scraper_->targets(), 1u);
  EXPECT_EQ(Value(registry_, "vitals_gateway_scrape_targets"), 1);
  // At most a scrape already under way when a was removed reaches it.
  const int a_requests = a.requests() + 1;

  // A settings change keeps the target (and its series) and takes effect.
  WriteFileSd(absl::StrCat(R"([{"targets": [")", b.address(),
                           R"("], "labels": {"x": "zzz", "__scrape_interval__": "200ms"}}])"));
  ASSERT_TRUE(WaitFor([&] {
    for (const RecordedSample& s : sink_.samples()) {
      if (s.labels.contains("x") && s.labels.at("x") == "zzz") return true;
    }
    return false;
  }));
  EXPECT_TRUE(WaitFor([&] { return Up(b.address()) == 1; }));
  EXPECT_LE(a.requests(), a_requests);  // no longer scraped
}

TEST_F(ScraperTest, BadAnswersAndHttpsTargetsAreDownWithAReason) {
  FlinkEndpoint endpoint(tm_body_);
  ASSERT_TRUE(endpoint.Start());
  const std::string error_target = endpoint.address() + "/error";
  const std::string garbage_target = endpoint.address() + "/garbage";
  WriteFileSd(absl::StrCat(R"([{"targets": [")", endpoint.address(),
                           R"("], "labels": {"__metrics_path__": "/error"}},)",
                           R"( {"targets": [")", endpoint.address(),
                           R"("], "labels": {"__metrics_path__": "/garbage"}},)",
                           R"( {"targets": ["127.0.0.1:1"], "labels": {"__scheme__": "https"}}])"));
  StartScraper();
  EXPECT_EQ(scraper_->targets(), 3u);
  ASSERT_TRUE(WaitFor([&] {
    return Scrapes("http_status") >= 1 && Scrapes("parse_error") >= 1 &&
           Scrapes("invalid_target") >= 1;
  }));
  EXPECT_EQ(Up(error_target), 0);
  EXPECT_EQ(Up(garbage_target), 0);
  EXPECT_EQ(Up("127.0.0.1:1"), 0);
  EXPECT_TRUE(scraper_->Shutdown(absl::InfiniteFuture()).ok());  // the counters below stop moving
  EXPECT_EQ(ingest_.rejected("scrape", "parse_error"), Scrapes("parse_error"));
  EXPECT_EQ(ingest_.rejected("scrape", "http_status"), Scrapes("http_status"));
  EXPECT_EQ(ingest_.rejected("scrape", "invalid_target"), Scrapes("invalid_target"));
  // A body that fails to parse delivers nothing, not even its good first line.
  EXPECT_GE(endpoint.requests(), 1);
  EXPECT_EQ(sink_.size(), 0u);
  EXPECT_EQ(Scrapes("ok"), 0);
}

TEST_F(ScraperTest, StartRefusesBadOptionsAndShutdownIsIdempotent) {
  ScrapeOptions options;
  options.enabled = true;
  options.files = {dir_ + "/*.json"};
  options.interval = absl::Seconds(1);
  options.timeout = absl::Seconds(2);
  Scraper bad(options, &sink_, &processes_, &ingest_, registry_, SystemTimeSource::Get());
  EXPECT_TRUE(absl::IsInvalidArgument(bad.Start()));
  EXPECT_TRUE(bad.Shutdown(absl::InfiniteFuture()).ok());
  EXPECT_TRUE(bad.Shutdown(absl::InfiniteFuture()).ok());
}

TEST(TargetLoopTest, TicksAreSpreadAndAligned) {
  EXPECT_EQ(TargetLoop::NextTick(1000, 250, 30), 1030);
  EXPECT_EQ(TargetLoop::NextTick(1030, 250, 30), 1280);
  EXPECT_EQ(TargetLoop::NextTick(1029, 250, 30), 1030);
  EXPECT_EQ(TargetLoop::NextTick(10, 250, 30), 30);
  const int64_t a = TargetLoop::Offset("10.0.0.1:9249", 10'000);
  EXPECT_EQ(a, TargetLoop::Offset("10.0.0.1:9249", 10'000));  // stable
  EXPECT_GE(a, 0);
  EXPECT_LT(a, 10'000);
  std::set<int64_t> offsets;
  for (int i = 0; i < 20; ++i) {
    offsets.insert(TargetLoop::Offset(absl::StrCat("10.0.0.", i, ":9249"), 10'000));
  }
  EXPECT_GT(offsets.size(), 15u);
}

}  // namespace
}  // namespace vitals::gateway
