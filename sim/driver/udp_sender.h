#pragma once

// Sends StatsD datagrams over UDP to one host:port, fire and forget, as
// Flink's StatsDReporter does.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace vitals::sim {

class UdpSender {
 public:
  // `address` is host:port with a numeric IPv4 host.
  static absl::StatusOr<UdpSender> Open(std::string_view address);
  UdpSender(UdpSender&& other) noexcept;
  UdpSender& operator=(UdpSender&&) = delete;
  UdpSender(const UdpSender&) = delete;
  ~UdpSender();

  // Unavailable when the kernel refused the datagram.
  absl::Status Send(std::string_view payload);

 private:
  explicit UdpSender(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace vitals::sim
