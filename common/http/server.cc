#include "common/http/server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "common/http/basic_auth.h"
#include "common/http/url.h"
#include "common/http/web_config.h"
#include "common/log/log.h"
#include "common/log/repeated_log.h"

namespace vitals::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

Request::Request(std::string_view method, std::string_view target, std::string_view body,
                 std::vector<std::pair<std::string_view, std::string_view>> headers,
                 std::string_view peer)
    : method_(method), target_(target), body_(body), peer_(peer), headers_(std::move(headers)) {
  const size_t q = target.find('?');
  path_ = target.substr(0, q);
  if (q != std::string_view::npos) query_ = target.substr(q + 1);
}

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers_) {
    if (absl::EqualsIgnoreCase(AsAbsl(k), AsAbsl(name))) return v;
  }
  return {};
}

std::string Request::QueryParam(std::string_view name) const {
  std::string_view rest = query_;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) != name) continue;
    return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
  }
  return {};
}

Response Response::Text(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  if (!r.body.empty() && r.body.back() != '\n') r.body.push_back('\n');
  return r;
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

namespace {

struct RouteEntry {
  std::string method;
  std::string path;
  bool prefix;
  Handler handler;
  std::string label;
};

// Methods that only read: served inline and never shed.
bool IsRead(std::string_view method) { return method == "GET" || method == "HEAD"; }

bool IsProbe(std::string_view method, std::string_view target) {
  return method == "GET" && (target == "/healthz" || target == "/readyz");
}

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();  // NOLINT(google-runtime-int): OpenSSL's type
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

int TlsVersion(std::string_view name) { return name == "TLS13" ? TLS1_3_VERSION : TLS1_2_VERSION; }

// The listener's TLS context from a web config's tls_server_config.
absl::StatusOr<std::unique_ptr<ssl::context>> MakeTlsContext(const TlsServerConfig& tls) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_min_proto_version(ctx, TlsVersion(tls.min_version)) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TlsVersion(tls.max_version)) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("tls versions: ", OpenSslError()));
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("tls_server_config.cert_file ", tls.cert_file, ": ", OpenSslError()));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("tls_server_config.key_file ", tls.key_file, ": ", OpenSslError()));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("tls_server_config.key_file ", tls.key_file,
                                                   " does not match cert_file ", tls.cert_file));
  }
  if (!tls.client_ca_file.empty() &&
      SSL_CTX_load_verify_locations(ctx, tls.client_ca_file.c_str(), nullptr) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("tls_server_config.client_ca_file ",
                                                   tls.client_ca_file, ": ", OpenSslError()));
  }
  // Prometheus' client_auth_type, in OpenSSL's verify flags. The
  // "Any" kinds want a certificate without checking it against a CA.
  int mode = SSL_VERIFY_NONE;
  bool check_chain = true;
  if (tls.client_auth_type == "RequestClientCert") {
    mode = SSL_VERIFY_PEER;
    check_chain = false;
  } else if (tls.client_auth_type == "RequireAnyClientCert") {
    mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    check_chain = false;
  } else if (tls.client_auth_type == "VerifyClientCertIfGiven") {
    mode = SSL_VERIFY_PEER;
  } else if (tls.client_auth_type == "RequireAndVerifyClientCert") {
    mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  }
  SSL_verify_cb accept_any = [](int /*preverified*/, X509_STORE_CTX*) { return 1; };
  SSL_CTX_set_verify(ctx, mode, check_chain ? nullptr : accept_any);
  return context;
}

}  // namespace

struct Server::Impl {
  explicit Impl(ServerOptions o) : options(std::move(o)) {}

  ServerOptions options;
  std::vector<RouteEntry> routes;
  OverloadHandler on_overload;
  // Open sessions; declared before ioc, whose destruction may still end
  // sessions that count themselves out here.
  std::atomic<int> connections{0};
  net::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  // Declared after ioc so that it goes first: queued handlers hold sessions
  // whose sockets belong to ioc.
  std::optional<net::thread_pool> handlers;
  std::atomic<int> inflight{0};
  // Accept errors (descriptors exhausted) and connections over the limit:
  // one log line per period with a count, not one per event.
  log::RepeatedLog accept_failed{log::Level::kWarn, "http accept failed: retrying in 100ms"};
  log::RepeatedLog over_limit{log::Level::kWarn,
                              "http connections over max_connections: answering probes only"};
  log::RepeatedLog tls_failed{log::Level::kWarn, "http TLS handshake failed"};
  mutable log::RepeatedLog unauthorized{log::Level::kWarn,
                                        "http request without a valid user: 401"};
  std::optional<net::steady_timer> accept_retry;
  // From options.web, made at Start.
  std::unique_ptr<ssl::context> tls;
  std::optional<BasicAuth> auth;
  std::atomic<bool> started{false};
  std::atomic<bool> stopped{false};
  uint16_t bound_port = 0;

  // The route serving `request`; when none, `refusal` is the 404 or 405.
  const RouteEntry* Find(const Request& request, Response* refusal) const {
    const RouteEntry* best = nullptr;
    bool path_matched = false;
    for (const RouteEntry& r : routes) {
      const bool matches =
          r.prefix ? absl::StartsWith(AsAbsl(request.path()), r.path) : request.path() == r.path;
      if (!matches) continue;
      path_matched = true;
      if (!r.method.empty() && r.method != request.method()) continue;
      if (best == nullptr || r.path.size() > best->path.size()) best = &r;
    }
    if (best == nullptr) {
      *refusal = path_matched
                     ? Response::Text(405, "method not allowed")
                     : Response::Text(404, absl::StrCat("no such path: ", AsAbsl(request.path())));
    }
    return best;
  }

  // Takes one of the max_inflight_requests slots; false when none is free.
  bool Admit() {
    if (inflight.fetch_add(1, std::memory_order_acq_rel) < options.max_inflight_requests) {
      return true;
    }
    inflight.fetch_sub(1, std::memory_order_acq_rel);
    return false;
  }
  void Leave() { inflight.fetch_sub(1, std::memory_order_acq_rel); }

  // Whether `request` may go on: no users configured, a probe, an open
  // read, or valid credentials. Costs a bcrypt for credentials not seen
  // before, so writes call it on a handler thread.
  bool Authorized(const Request& request) const {
    if (!auth) return true;
    if (IsProbe(request.method(), request.target())) return true;
    if (IsRead(request.method()) && !options.reads_need_user) return true;
    if (auth->Allows(request.Header("Authorization"))) return true;
    // InfluxDB 1.x takes credentials as `u` and `p` query parameters too,
    // and its clients (Flink's InfluxdbReporter's among them) may use them.
    if (const std::string user = request.QueryParam("u"); !user.empty()) {
      if (auth->AllowsUser(user, request.QueryParam("p"))) return true;
    }
    unauthorized.Report({{"peer", std::string(request.peer())}});
    return false;
  }

  // Security headers of the web config, on every answer.
  void AddConfiguredHeaders(Response& response) const {
    if (!options.web) return;
    for (const auto& [name, value] : options.web->headers)
      response.headers.emplace_back(name, value);
  }

  static Response Unauthorized() {
    Response r = Response::Text(401, "unauthorized: this server needs a user (basic auth)");
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"vitals\", charset=\"UTF-8\"");
    return r;
  }

  Response Overloaded(const RouteEntry& route) const {
    if (on_overload) on_overload(route.label);
    const int64_t seconds = std::max<int64_t>(
        1, absl::ToInt64Seconds(absl::Ceil(options.retry_after, absl::Seconds(1))));
    Response r = Response::Text(
        429, absl::StrCat("too many requests in flight (", options.max_inflight_requests,
                          "); retry after ", seconds, "s"));
    r.headers.emplace_back("Retry-After", absl::StrCat(seconds));
    return r;
  }

  void Accept();
};

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

}  // namespace

namespace {

// One connection. `Stream` is PlainStream or TlsStream; the TLS one
// handshakes before its first request.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

 public:
  template <typename... TlsContext>
  Session(tcp::socket socket, Server::Impl* server, TlsContext&... tls)
      : stream_(std::move(socket), tls...),
        server_(server),
        over_limit_(server->connections.fetch_add(1, std::memory_order_acq_rel) >=
                    server->options.max_connections) {
    beast::error_code ec;
    auto endpoint = Tcp().socket().remote_endpoint(ec);
    if (!ec) peer_ = absl::StrCat(endpoint.address().to_string(), ":", endpoint.port());
    if (over_limit_) {
      server_->over_limit.Report(
          {{"max_connections", absl::StrCat(server_->options.max_connections)}});
    }
  }
  ~Session() { server_->connections.fetch_sub(1, std::memory_order_acq_rel); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Run() {
    if constexpr (kTls) {
      Tcp().expires_after(FirstRequestTimeout());
      stream_.async_handshake(
          ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
            if (ec) {
              self->server_->tls_failed.Report({{"peer", self->peer_}, {"error", ec.message()}});
              self->Close();
              return;
            }
            self->ReadRequest(/*first=*/true);
          });
    } else {
      ReadRequest(/*first=*/true);
    }
  }

 private:
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  // Over the limit, a connection gets a second for one request: probes
  // send theirs at once, and a flood of idle connections drains quickly.
  std::chrono::nanoseconds FirstRequestTimeout() const {
    return over_limit_ ? std::chrono::seconds(1) : ToChrono(server_->options.read_timeout);
  }

  void ReadRequest(bool first) {
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_->options.max_header_bytes));
    // A waiting keep-alive connection gets the idle timeout; a request in
    // progress must arrive within the read timeout (slow clients lose).
    Tcp().expires_after(first || over_limit_ ? FirstRequestTimeout()
                                             : ToChrono(server_->options.idle_timeout));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  // Beast reads as much as the buffer has room for, at least 512 bytes: a
  // buffer left small reads a 50 KB push in a hundred system calls. So a
  // body gets room for up to kReadChunk bytes a read (kept for the next
  // request of a keep-alive connection), and its own deadline.
  void OnHeader(beast::error_code ec, size_t) {
    if (ec || parser_->is_done()) {
      OnRead(ec, 0);
      return;
    }
    constexpr size_t kReadChunk = 64 << 10;
    const size_t length = parser_->content_length().value_or(kReadChunk);
    const size_t want = buffer_.size() + std::min(length, kReadChunk);
    if (buffer_.capacity() < want) buffer_.reserve(want);
    if (!over_limit_) Tcp().expires_after(ToChrono(server_->options.read_timeout));
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  static std::chrono::nanoseconds ToChrono(absl::Duration d) {
    return std::chrono::nanoseconds(absl::ToInt64Nanoseconds(d));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof || ec == ssl::error::stream_truncated) {
      Close();
      return;
    }
    // Answers to requests not read to their end: the rest may still be
    // coming, so the connection is drained, not reset, after the answer.
    if (ec == bhttp::error::body_limit) {
      Reply(Response::Text(413, absl::StrCat("request body exceeds ",
                                             server_->options.max_body_bytes, " bytes")),
            /*keep_alive=*/false, /*drain=*/true);
      return;
    }
    if (ec == bhttp::error::header_limit) {
      Reply(Response::Text(431, "request header fields too large"), false, true);
      return;
    }
    if (ec) {
      if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
        Reply(Response::Text(400, absl::StrCat("malformed HTTP request: ", ec.message())), false,
              true);
      } else {
        Close();
      }
      return;
    }
    auto& req = parser_->get();
    std::vector<std::pair<std::string_view, std::string_view>> headers;
    for (const auto& field : req) {
      headers.emplace_back(std::string_view(field.name_string().data(), field.name_string().size()),
                           std::string_view(field.value().data(), field.value().size()));
    }
    const std::string_view method(req.method_string().data(), req.method_string().size());
    const std::string_view target(req.target().data(), req.target().size());
    Request request(method, target, req.body(), std::move(headers), peer_);
    if (over_limit_) {
      if (!IsProbe(method, target)) {
        Reply(Response::Text(
                  503, absl::StrCat("too many connections (", server_->options.max_connections,
                                    "); only /healthz and /readyz are answered")),
              /*keep_alive=*/false);
        return;
      }
    }
    const bool keep_alive = req.keep_alive() && !over_limit_;
    Response refusal;
    const RouteEntry* route = server_->Find(request, &refusal);
    // A read without a user learns nothing, not even which paths exist. A
    // write to no route is refused as it is: checking it would cost a
    // bcrypt on this I/O thread.
    if (route == nullptr) {
      Reply(IsRead(method) && !server_->Authorized(request) ? Server::Impl::Unauthorized()
                                                            : std::move(refusal),
            keep_alive);
      return;
    }
    Tcp().expires_never();  // the handler's time is not the client's fault
    if (IsRead(method)) {
      Reply(server_->Authorized(request) ? route->handler(request) : Server::Impl::Unauthorized(),
            keep_alive);
      return;
    }
    if (!server_->Admit()) {
      Reply(server_->Overloaded(*route), keep_alive);
      return;
    }
    // The request's views stay valid: this session reads nothing more
    // until the reply is written.
    net::post(*server_->handlers, [self = shared_from_this(), route, request = std::move(request),
                                   keep_alive]() mutable {
      Response response = self->server_->Authorized(request) ? route->handler(request)
                                                             : Server::Impl::Unauthorized();
      self->server_->Leave();
      net::post(self->stream_.get_executor(),
                [self, response = std::move(response), keep_alive]() mutable {
                  self->Reply(std::move(response), keep_alive);
                });
    });
  }

  void Reply(Response response, bool keep_alive, bool drain = false) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(response.status));
    res->set(bhttp::field::server, "vitals");
    res->set(bhttp::field::content_type, response.content_type);
    server_->AddConfiguredHeaders(response);
    for (auto& [name, value] : response.headers) res->set(name, value);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    Tcp().expires_after(ToChrono(server_->options.read_timeout));
    bhttp::async_write(
        stream_, *res,
        [self = shared_from_this(), res, keep_alive, drain](beast::error_code ec, size_t) {
          if (!ec && drain) {
            self->Drain();
            return;
          }
          if (ec || !keep_alive) {
            self->Close();
            return;
          }
          self->ReadRequest(/*first=*/false);
        });
  }

  // Closing a socket with unread input resets the connection, and a client
  // still sending would never read the answer it was given. So: stop
  // sending, discard what arrives until the client closes, for at most a
  // few seconds, then close.
  void Drain() {
    if (!draining_) {
      draining_ = true;
      beast::error_code ignored;
      Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Tcp().expires_after(ToChrono(std::min(server_->options.read_timeout, absl::Seconds(5))));
    }
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(16 << 10),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) {
                                self->Close();
                                return;
                              }
                              self->Drain();
                            });
  }

  void Close() {
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().close();
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server::Impl* server_;
  // Accepted beyond max_connections: probes only, one request.
  const bool over_limit_;
  std::string peer_;
  bool draining_ = false;
};

}  // namespace

void Server::Impl::Accept() {
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopped.load()) return;
    if (ec) {
      // Out of descriptors (EMFILE, ENFILE) the next accept fails at once
      // too: retrying without a pause spins and floods the log. A pause
      // lets sessions time out and give descriptors back.
      accept_failed.Report({{"error", ec.message()}});
      accept_retry->expires_after(std::chrono::milliseconds(100));
      accept_retry->async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && !stopped.load()) Accept();
      });
      return;
    }
    if (tls) {
      std::make_shared<Session<TlsStream>>(std::move(socket), this, *tls)->Run();
    } else {
      std::make_shared<Session<PlainStream>>(std::move(socket), this)->Run();
    }
    Accept();
  });
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { (void)Shutdown(absl::InfiniteFuture()); }

void Server::Route(std::string method, std::string path, Handler handler, std::string label) {
  const bool prefix = !path.empty() && path.back() == '/';
  impl_->routes.push_back(
      {std::move(method), std::move(path), prefix, std::move(handler), std::move(label)});
}

void Server::OnOverload(OverloadHandler handler) { impl_->on_overload = std::move(handler); }

const ServerOptions& Server::options() const { return impl_->options; }

absl::Status Server::Start() {
  beast::error_code ec;
  const auto address = net::ip::make_address(impl_->options.address, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad listen address ", impl_->options.address, ": ", ec.message()));
  }
  if (const WebConfig* web = impl_->options.web.get(); web != nullptr) {
    if (web->tls_enabled()) {
      absl::StatusOr<std::unique_ptr<ssl::context>> tls = MakeTlsContext(web->tls);
      if (!tls.ok()) return tls.status();
      impl_->tls = std::move(*tls);
    }
    if (web->auth_enabled()) {
      impl_->auth.emplace(web->basic_auth_users);
      if (!web->tls_enabled()) {
        log::Warn("http basic auth without TLS: passwords cross the network in clear",
                  {{"listen", impl_->options.address}});
      }
    }
  }
  tcp::endpoint endpoint(address, impl_->options.port);
  tcp::acceptor acceptor(impl_->ioc);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", impl_->options.address, ":",
                                               impl_->options.port, ": ", ec.message()));
  }
  impl_->bound_port = acceptor.local_endpoint().port();
  impl_->acceptor.emplace(std::move(acceptor));
  impl_->accept_retry.emplace(impl_->ioc);
  impl_->started = true;
  const int threads = std::max(1, impl_->options.threads);
  impl_->handlers.emplace(static_cast<size_t>(threads));
  impl_->Accept();
  for (int i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  return absl::OkStatus();
}

uint16_t Server::port() const { return impl_->bound_port; }

absl::Status Server::Shutdown(absl::Time /*deadline*/) {
  if (!impl_ || impl_->stopped.exchange(true)) return absl::OkStatus();
  if (impl_->acceptor) {
    net::post(impl_->ioc, [this] {
      beast::error_code ignored;
      impl_->acceptor->close(ignored);
    });
  }
  // Handlers already running finish (their replies may still go out);
  // queued ones are dropped with their connections.
  if (impl_->handlers) {
    impl_->handlers->stop();
    impl_->handlers->join();
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  return absl::OkStatus();
}

}  // namespace vitals::http
