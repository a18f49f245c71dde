#include "common/http/url.h"

#include <cctype>
#include <charconv>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/strings.h"

namespace vitals::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

namespace {

// Copies `in`, writing each byte `escape` picks as %XX.
template <typename Escape>
std::string PercentEncodeIf(std::string_view in, Escape escape) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (escape(c)) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace

std::string PercentEncode(std::string_view in) {
  return PercentEncodeIf(in, [](unsigned char c) {
    return !(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~');
  });
}

std::string EscapeTarget(std::string_view target) {
  return PercentEncodeIf(target, [](unsigned char c) {
    return c <= 0x20 || c >= 0x7F || c == '<' || c == '>' || c == '"';
  });
}

absl::StatusOr<Url> ParseUrl(std::string_view url) {
  Url out;
  std::string_view rest;
  if (absl::StartsWith(AsAbsl(url), "http://")) {
    rest = url.substr(7);
  } else if (absl::StartsWith(AsAbsl(url), "https://")) {
    rest = url.substr(8);
    out.tls = true;
    out.port = 443;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported URL (http:// or https:// only): ", AsAbsl(url)));
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("bad port in URL: ", AsAbsl(url)));
    }
    out.port = static_cast<uint16_t>(value);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no host in URL: ", AsAbsl(url)));
  }
  out.host = std::string(authority);
  return out;
}

}  // namespace vitals::http

namespace vitals::http {

absl::Status ParseHostPort(std::string_view text, std::string* host, uint16_t* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected host:port, got \"", AsAbsl(text), "\""));
  }
  std::string_view port_text = text.substr(colon + 1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || value > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port in \"", AsAbsl(text), "\""));
  }
  std::string_view h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  *host = h.empty() ? "0.0.0.0" : std::string(h);
  *port = static_cast<uint16_t>(value);
  return absl::OkStatus();
}

}  // namespace vitals::http
