#include "common/http/client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "common/http/url.h"

namespace vitals::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string ClientResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (absl::EqualsIgnoreCase(k, AsAbsl(name))) return v;
  }
  return {};
}

struct HttpClient::Impl {
  std::string host;
  uint16_t port;
  absl::Duration timeout;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  std::chrono::nanoseconds Timeout() const {
    return std::chrono::nanoseconds(absl::ToInt64Nanoseconds(timeout));
  }

  beast::error_code Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return ec;
    stream.emplace(ioc);
    stream->expires_after(Timeout());
    // tcp_stream's timeouts apply to async operations only, so run them
    // on our private io_context.
    stream->async_connect(endpoints, [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
    ioc.restart();
    ioc.run();
    if (ec) stream.reset();
    buffer.clear();
    return ec;
  }

  beast::error_code Exchange(const bhttp::request<bhttp::string_body>& req,
                             bhttp::response<bhttp::string_body>* res) {
    beast::error_code ec;
    stream->expires_after(Timeout());
    bhttp::async_write(*stream, req, [&](beast::error_code e, size_t) {
      ec = e;
      if (ec) return;
      bhttp::async_read(*stream, buffer, *res, [&](beast::error_code e2, size_t) { ec = e2; });
    });
    ioc.restart();
    ioc.run();
    return ec;
  }
};

HttpClient::HttpClient(std::string host, uint16_t port, absl::Duration timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() = default;

absl::StatusOr<ClientResponse> HttpClient::Send(
    std::string_view method, std::string_view target, std::string_view body,
    std::vector<std::pair<std::string, std::string>> headers) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(beast::string_view(method.data(), method.size()));
  req.target(beast::string_view(target.data(), target.size()));
  req.version(11);
  req.set(bhttp::field::host, absl::StrCat(impl_->host, ":", impl_->port));
  req.set(bhttp::field::user_agent, "vitals");
  for (auto& [name, value] : headers) req.set(name, value);
  req.body() = std::string(body);
  req.keep_alive(true);
  req.prepare_payload();

  // A reused connection may have been closed by the peer meanwhile: retry
  // once on a fresh connection before reporting failure.
  beast::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->stream.has_value();
    if (!reused) {
      ec = impl_->Connect();
      if (ec) break;
    }
    bhttp::response<bhttp::string_body> res;
    ec = impl_->Exchange(req, &res);
    if (!ec) {
      ClientResponse out;
      out.status = static_cast<int>(res.result_int());
      out.content_type = std::string(res[bhttp::field::content_type]);
      for (const auto& field : res) {
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      out.body = std::move(res.body());
      if (!res.keep_alive()) impl_->stream.reset();
      return out;
    }
    impl_->stream.reset();
    if (!reused) break;
  }
  return absl::UnavailableError(absl::StrCat(AsAbsl(method), " http://", impl_->host, ":",
                                             impl_->port, AsAbsl(target), ": ", ec.message()));
}

absl::StatusOr<ClientResponse> Fetch(std::string_view method, std::string_view url,
                                     std::string_view body,
                                     std::vector<std::pair<std::string, std::string>> headers,
                                     absl::Duration timeout) {
  absl::StatusOr<Url> parsed = ParseUrl(url);
  if (!parsed.ok()) return parsed.status();
  HttpClient client(parsed->host, parsed->port, timeout);
  return client.Send(method, parsed->target, body, std::move(headers));
}

}  // namespace vitals::http
