#include "gateway/receivers/statsd/receiver.h"

#include <arpa/inet.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/http/url.h"
#include "common/log/log.h"
#include "gateway/attribute/process_attributor.h"

namespace vitals::gateway {
namespace {

namespace net = boost::asio;
using udp = net::ip::udp;

constexpr std::string_view kFormat = "statsd";
// Datagrams read per wake-up at most before the lane lets its timer run.
constexpr size_t kDatagramsPerWake = 1024;

// A datagram sender's identity as bytes (family, port, address): the
// normalizer's key for it, formatted only when the sender is new.
std::string_view SenderKey(const sockaddr_storage& addr, char (&out)[24]) {
  size_t n = 0;
  auto put = [&](const void* p, size_t size) {
    std::memcpy(out + n, p, size);
    n += size;
  };
  const auto family = static_cast<char>(addr.ss_family);
  put(&family, 1);
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    put(&a.sin_port, sizeof(a.sin_port));
    put(&a.sin_addr, sizeof(a.sin_addr));
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    put(&a.sin6_port, sizeof(a.sin6_port));
    put(&a.sin6_addr, sizeof(a.sin6_addr));
    put(&a.sin6_scope_id, sizeof(a.sin6_scope_id));
  }
  return std::string_view(out, n);
}

// "ip:port" ("[ip]:port" for IPv6) of a datagram's sender.
std::string FormatSender(const sockaddr_storage& addr) {
  char ip[INET6_ADDRSTRLEN] = {};
  uint16_t port = 0;
  bool v6 = false;
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    inet_ntop(AF_INET, &a.sin_addr, ip, sizeof(ip));
    port = ntohs(a.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    inet_ntop(AF_INET6, &a.sin6_addr, ip, sizeof(ip));
    port = ntohs(a.sin6_port);
    v6 = true;
  }
  char out[64];
  const int n = std::snprintf(out, sizeof(out), v6 ? "[%s]:%u" : "%s:%u", ip, port);
  return std::string(out, static_cast<size_t>(std::clamp(n, 0, int{sizeof(out) - 1})));
}

}  // namespace

struct StatsdReceiver::Lane {
  Lane(const StatsdReceiverOptions& options, IngestMetrics* metrics, const Clock& clock)
      : options(options),
        metrics(metrics),
        clock(clock),
        parser(options.parse),
        batch(static_cast<size_t>(std::clamp(options.receive_batch, 1, 1024))),
        slot_bytes(static_cast<size_t>(options.max_datagram_bytes)),
        // Not zeroed: a slot's pages become resident only as far as
        // datagrams fill them (a 1.4 KB datagram touches one of a 64 KB
        // slot's pages).
        buffer(std::make_unique_for_overwrite<char[]>(batch * slot_bytes)),
        headers(batch),
        iov(batch),
        addrs(batch),
        controls(batch) {
    for (size_t i = 0; i < batch; ++i) {
      iov[i] = {buffer.get() + i * slot_bytes, slot_bytes};
      msghdr& h = headers[i].msg_hdr;
      h.msg_name = &addrs[i];
      h.msg_iov = &iov[i];
      h.msg_iovlen = 1;
      h.msg_control = controls[i].data();
    }
  }

  void ArmRead() {
    socket.async_wait(udp::socket::wait_read, [this](const boost::system::error_code& ec) {
      if (ec) return;  // closed
      for (size_t read = 0; read < kDatagramsPerWake;) {
        const size_t n = ReadBatch();
        read += n;
        if (n < batch) break;  // the socket is empty
      }
      EndBatch();
      ArmRead();
    });
  }

  void ArmTimer() {
    timer.expires_after(std::chrono::milliseconds(options.normalize.hold_ms));
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;  // cancelled
      normalizer->ReleaseHeld(clock());
      ReadKernelDrops();
      EndBatch();
      Publish();
      ArmTimer();
    });
  }

  // Reads up to `batch` datagrams without blocking, with one recvmmsg
  // (recvmsg when batch is 1), and hands them on; returns how many.
  size_t ReadBatch() {
    for (size_t i = 0; i < batch; ++i) {
      msghdr& h = headers[i].msg_hdr;
      h.msg_namelen = sizeof(addrs[i]);
      h.msg_controllen = controls[i].size();
      h.msg_flags = 0;
    }
    int n;
    if (batch == 1) {
      const ssize_t size = recvmsg(socket.native_handle(), &headers[0].msg_hdr, MSG_DONTWAIT);
      n = size < 0 ? -1 : 1;
      if (n == 1) headers[0].msg_len = static_cast<unsigned>(size);
    } else {
      n = recvmmsg(socket.native_handle(), headers.data(), static_cast<unsigned>(batch),
                   MSG_DONTWAIT, nullptr);
    }
    if (n <= 0) return 0;
    const int64_t now_ms = clock();
    datagrams.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    int too_large = 0;
    for (int i = 0; i < n; ++i) {
      const msghdr& h = headers[i].msg_hdr;
      CountKernelDrops(h);
      if (h.msg_flags & MSG_TRUNC) {
        ++too_large;
        continue;
      }
      // The sender of each datagram is its own, whatever the batch holds.
      char key[24];
      const sockaddr_storage& from = addrs[i];
      normalizer->BeginDatagram(
          SenderKey(from, key), [&from] { return FormatSender(from); }, now_ms);
      parser.Parse(std::string_view(static_cast<const char*>(iov[i].iov_base), headers[i].msg_len),
                   *normalizer);
    }
    if (too_large > 0) metrics->Rejected(kFormat, "too_large", too_large);
    return static_cast<size_t>(n);
  }

  // SO_RXQ_OVFL: each datagram carries the socket's running count of
  // datagrams dropped for a full receive buffer.
  void CountKernelDrops(const msghdr& h) {
    for (const cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr;
         c = CMSG_NXTHDR(const_cast<msghdr*>(&h), const_cast<cmsghdr*>(c))) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL) continue;
      uint32_t total;
      std::memcpy(&total, CMSG_DATA(c), sizeof(total));
      AddKernelDrops(total);
    }
  }

  // The same count read on the timer (SO_MEMINFO): a burst that overflows
  // the buffer and then stops would otherwise show its drops only with the
  // next datagram that gets in, which may never come.
  void ReadKernelDrops() {
    uint32_t meminfo[SK_MEMINFO_VARS] = {};
    socklen_t len = sizeof(meminfo);
    if (getsockopt(socket.native_handle(), SOL_SOCKET, SO_MEMINFO, meminfo, &len) != 0 ||
        len < (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t)) {
      return;
    }
    AddKernelDrops(meminfo[SK_MEMINFO_DROPS]);
  }

  // Both readings are of one running counter (the socket's drops), but a
  // datagram's copy is as old as the datagram: only a newer total counts.
  // The difference is taken modulo 2^32, as the kernel's counter wraps.
  void AddKernelDrops(uint32_t total) {
    const auto dropped = static_cast<int32_t>(total - kernel_drops);
    if (dropped <= 0) return;
    kernel_drops = total;
    overloaded.fetch_add(static_cast<uint64_t>(dropped), std::memory_order_relaxed);
    metrics->Overloaded(kFormat, static_cast<double>(dropped));
  }

  // Ends the attribution batch: the datagrams read since the last call.
  void EndBatch() {
    attributor->Finish(clock());
    attributor->Begin();
  }

  // Hands the counts since the last call to the self-metrics: on the
  // lane's timer, not per wake-up, since a counter update costs a labelled
  // lookup.
  void Publish() {
    const StatsdNormalizerStats& now = normalizer->stats();
    StatsdNormalizerStats& was = published;
    auto delta = [](uint64_t a, uint64_t b) { return static_cast<double>(a - b); };
    if (now.lines != was.lines) metrics->Received(kFormat, delta(now.lines, was.lines));
    const std::pair<uint64_t, uint64_t StatsdNormalizerStats::*> rejects[] = {
        {0, &StatsdNormalizerStats::rejected_text},
        {1, &StatsdNormalizerStats::rejected_syntax},
        {2, &StatsdNormalizerStats::rejected_scope},
        {3, &StatsdNormalizerStats::rejected_type},
    };
    constexpr std::string_view kReasons[] = {"invalid_value", "parse_error", "scope",
                                             "unsupported_type"};
    for (const auto& [i, field] : rejects) {
      if (now.*field != was.*field) {
        metrics->Rejected(kFormat, kReasons[i], delta(now.*field, was.*field));
      }
    }
    published = now;
  }

  const StatsdReceiverOptions& options;
  IngestMetrics* metrics;
  const Clock& clock;

  net::io_context ioc{1};
  udp::socket socket{ioc};
  net::steady_timer timer{ioc};
  StatsdParser parser;
  std::unique_ptr<ProcessAttributor> attributor;
  std::unique_ptr<StatsdNormalizer> normalizer;
  // One slot per datagram of a recvmmsg call, reused by every call.
  const size_t batch;
  const size_t slot_bytes;
  std::unique_ptr<char[]> buffer;
  std::vector<mmsghdr> headers;
  std::vector<iovec> iov;
  std::vector<sockaddr_storage> addrs;
  std::vector<std::array<char, CMSG_SPACE(sizeof(uint32_t))>> controls;
  uint32_t kernel_drops = 0;
  StatsdNormalizerStats published;
  std::atomic<uint64_t> datagrams{0};
  std::atomic<uint64_t> overloaded{0};
  std::thread thread;
};

StatsdReceiver::StatsdReceiver(StatsdReceiverOptions options, FlinkSampleSink* sink,
                               ProcessJobTable* processes, IngestMetrics* metrics, Clock clock)
    : options_(std::move(options)),
      sink_(sink),
      processes_(processes),
      metrics_(metrics),
      clock_(std::move(clock)) {
  metrics_->Declare(kFormat);
}

StatsdReceiver::~StatsdReceiver() { (void)Shutdown(absl::InfiniteFuture()); }

absl::Status StatsdReceiver::Start() {
  if (started_ || shut_down_) return absl::FailedPreconditionError("statsd receiver: started once");
  if (absl::Status s = options_.Validate(); !s.ok()) return s;
  std::string host;
  uint16_t port = 0;
  if (absl::Status s = http::ParseHostPort(options_.listen, &host, &port); !s.ok()) return s;
  boost::system::error_code ec;
  const net::ip::address address = net::ip::make_address(host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("statsd.listen: bad address ", host, ": ", ec.message()));
  }

  std::vector<std::unique_ptr<Lane>> lanes;
  for (int i = 0; i < options_.threads; ++i) {
    auto lane = std::make_unique<Lane>(options_, metrics_, clock_);
    lane->attributor = std::make_unique<ProcessAttributor>(processes_, sink_);
    lane->attributor->Begin();
    absl::StatusOr<std::unique_ptr<StatsdNormalizer>> normalizer =
        StatsdNormalizer::Create(options_.normalize, lane->attributor.get());
    if (!normalizer.ok()) return normalizer.status();
    lane->normalizer = std::move(*normalizer);

    const udp::endpoint endpoint(address, port);
    lane->socket.open(endpoint.protocol(), ec);
    const int fd = lane->socket.native_handle();
    const int one = 1;
    if (!ec && options_.threads > 1 &&
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
      ec.assign(errno, boost::system::system_category());
    }
    if (!ec && options_.receive_buffer_bytes > 0) {
      lane->socket.set_option(
          udp::socket::receive_buffer_size(static_cast<int>(options_.receive_buffer_bytes)), ec);
    }
    // Without the drop counter overload goes uncounted, not unhandled.
    if (!ec && setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) != 0) {
      log::Warn("statsd: SO_RXQ_OVFL unavailable, kernel drops are not counted");
    }
    if (!ec) lane->socket.bind(endpoint, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("statsd: cannot listen on ", options_.listen, ": ", ec.message()));
    }
    // Later lanes join the port the first one got.
    port = lane->socket.local_endpoint().port();
    lanes.push_back(std::move(lane));
  }
  udp::socket::receive_buffer_size granted;
  lanes.front()->socket.get_option(granted, ec);
  if (!ec && options_.receive_buffer_bytes > 0 && granted.value() < options_.receive_buffer_bytes) {
    log::Warn("statsd: receive buffer smaller than configured (raise net.core.rmem_max)",
              {{"configured", std::to_string(options_.receive_buffer_bytes)},
               {"granted", std::to_string(granted.value())}});
  }

  port_ = port;
  lanes_ = std::move(lanes);
  for (auto& lane : lanes_) {
    Lane* l = lane.get();
    l->ArmRead();
    l->ArmTimer();
    l->thread = std::thread([l] { l->ioc.run(); });
  }
  started_ = true;
  log::Info("statsd receiver started", {{"listen", absl::StrCat(host, ":", port_)},
                                        {"threads", std::to_string(options_.threads)}});
  return absl::OkStatus();
}

absl::Status StatsdReceiver::Shutdown(absl::Time /*deadline*/) {
  if (!started_ || shut_down_) {
    shut_down_ = true;
    return absl::OkStatus();
  }
  shut_down_ = true;
  for (auto& lane : lanes_) lane->ioc.stop();
  for (auto& lane : lanes_) {
    if (lane->thread.joinable()) lane->thread.join();
    boost::system::error_code ignored;
    lane->socket.close(ignored);
    // The lane's thread is gone: its normalizer is ours now.
    lane->normalizer->ReleaseHeld(std::numeric_limits<int64_t>::max());
    lane->EndBatch();
    lane->Publish();
  }
  return absl::OkStatus();
}

uint64_t StatsdReceiver::datagrams() const {
  uint64_t n = 0;
  for (const auto& lane : lanes_) n += lane->datagrams.load(std::memory_order_relaxed);
  return n;
}

uint64_t StatsdReceiver::overloaded() const {
  uint64_t n = 0;
  for (const auto& lane : lanes_) n += lane->overloaded.load(std::memory_order_relaxed);
  return n;
}

}  // namespace vitals::gateway
