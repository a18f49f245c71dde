#include "common/http/client.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "common/http/url.h"

namespace vitals::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
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
  // With TLS: the context, and the stream over the connection.
  std::optional<ssl::context> tls;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::string tls_error;  // the CA file did not load

  std::chrono::nanoseconds Timeout() const {
    return std::chrono::nanoseconds(absl::ToInt64Nanoseconds(timeout));
  }

  bool connected() const { return tls ? tls_stream.has_value() : stream.has_value(); }
  void Disconnect() {
    stream.reset();
    tls_stream.reset();
  }

  // Runs the operations started on the private io_context: tcp_stream's
  // timeouts apply to async operations only.
  void Run() {
    ioc.restart();
    ioc.run();
  }

  beast::error_code Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return ec;
    buffer.clear();
    if (!tls) {
      stream.emplace(ioc);
      stream->expires_after(Timeout());
      stream->async_connect(endpoints,
                            [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
      Run();
      if (ec) stream.reset();
      return ec;
    }
    tls_stream.emplace(ioc, *tls);
    // SNI for names; the certificate must name the host (or its address).
    beast::error_code not_an_address;
    (void)net::ip::make_address(host, not_an_address);
    if (not_an_address) SSL_set_tlsext_host_name(tls_stream->native_handle(), host.c_str());
    tls_stream->set_verify_callback(ssl::host_name_verification(host));
    beast::tcp_stream& tcp_layer = beast::get_lowest_layer(*tls_stream);
    tcp_layer.expires_after(Timeout());
    tcp_layer.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
      ec = e;
      if (ec) return;
      tls_stream->async_handshake(ssl::stream_base::client,
                                  [&ec](beast::error_code e2) { ec = e2; });
    });
    Run();
    if (ec) tls_stream.reset();
    return ec;
  }

  template <typename Stream>
  beast::error_code Exchange(Stream& s, const bhttp::request<bhttp::string_body>& req,
                             bhttp::response<bhttp::string_body>* res) {
    beast::error_code ec;
    beast::get_lowest_layer(s).expires_after(Timeout());
    bhttp::async_write(s, req, [&](beast::error_code e, size_t) {
      ec = e;
      if (ec) return;
      bhttp::async_read(s, buffer, *res, [&](beast::error_code e2, size_t) { ec = e2; });
    });
    Run();
    return ec;
  }

  beast::error_code Exchange(const bhttp::request<bhttp::string_body>& req,
                             bhttp::response<bhttp::string_body>* res) {
    return tls ? Exchange(*tls_stream, req, res) : Exchange(*stream, req, res);
  }
};

HttpClient::HttpClient(std::string host, uint16_t port, absl::Duration timeout,
                       std::optional<ClientTls> tls)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
  if (tls) {
    impl_->tls.emplace(ssl::context::tls_client);
    impl_->tls->set_verify_mode(ssl::verify_peer);
    beast::error_code ec;
    if (tls->ca_file.empty()) {
      impl_->tls->set_default_verify_paths(ec);
    } else {
      impl_->tls->load_verify_file(tls->ca_file, ec);
    }
    if (ec) {
      impl_->tls_error = absl::StrCat("cannot load CA file ", tls->ca_file, ": ", ec.message());
    }
  }
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

  if (!impl_->tls_error.empty()) return absl::FailedPreconditionError(impl_->tls_error);
  // A reused connection may have been closed by the peer meanwhile: retry
  // once on a fresh connection before reporting failure.
  beast::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->connected();
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
      if (!res.keep_alive()) impl_->Disconnect();
      return out;
    }
    impl_->Disconnect();
    if (!reused) break;
  }
  return absl::UnavailableError(absl::StrCat(AsAbsl(method), impl_->tls ? " https://" : " http://",
                                             impl_->host, ":", impl_->port, AsAbsl(target), ": ",
                                             ec.message()));
}

absl::StatusOr<ClientResponse> Fetch(std::string_view method, std::string_view url,
                                     std::string_view body,
                                     std::vector<std::pair<std::string, std::string>> headers,
                                     absl::Duration timeout, const ClientTls& tls) {
  absl::StatusOr<Url> parsed = ParseUrl(url);
  if (!parsed.ok()) return parsed.status();
  HttpClient client(parsed->host, parsed->port, timeout,
                    parsed->tls ? std::optional<ClientTls>(tls) : std::nullopt);
  return client.Send(method, parsed->target, body, std::move(headers));
}

}  // namespace vitals::http
