#include "sim/driver/udp_sender.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "common/http/url.h"

namespace vitals::sim {

absl::StatusOr<UdpSender> UdpSender::Open(std::string_view address) {
  std::string host;
  uint16_t port = 0;
  if (absl::Status s = http::ParseHostPort(address, &host, &port); !s.ok()) return s;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &to.sin_addr) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("statsd address \"", AsAbsl(address), "\": need a numeric IPv4 host"));
  }
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  // Connected, so each send names no address and ICMP errors surface.
  if (connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof(to)) != 0) {
    const int err = errno;
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("statsd ", AsAbsl(address), ": ", std::strerror(err)));
  }
  return UdpSender(fd);
}

UdpSender::UdpSender(UdpSender&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

UdpSender::~UdpSender() {
  if (fd_ >= 0) close(fd_);
}

absl::Status UdpSender::Send(std::string_view payload) {
  if (send(fd_, payload.data(), payload.size(), 0) < 0) {
    return absl::UnavailableError(absl::StrCat("statsd send: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace vitals::sim
