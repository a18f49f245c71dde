#include "common/http/gzip.h"

#include <zlib.h>

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/base/strings.h"

namespace vitals::http {

absl::StatusOr<std::string> Gunzip(std::string_view compressed, size_t max_bytes) {
  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip header, not raw zlib.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return absl::InternalError("inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char chunk[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof(chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return absl::InvalidArgumentError(
          absl::StrCat("bad gzip body: ", zs.msg != nullptr ? zs.msg : "truncated"));
    }
    out.append(chunk, sizeof(chunk) - zs.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&zs);
      return absl::ResourceExhaustedError(
          absl::StrCat("gzip body expands beyond ", max_bytes, " bytes"));
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return absl::InvalidArgumentError("bad gzip body: truncated");
    }
  }
  inflateEnd(&zs);
  return out;
}

std::string Gzip(std::string_view plain) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out;
  out.resize(deflateBound(&zs, plain.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  zs.avail_in = static_cast<uInt>(plain.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  for (absl::string_view item : absl::StrSplit(AsAbsl(accept_encoding), ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, ';');
    const absl::string_view coding = absl::StripAsciiWhitespace(parts[0]);
    if (!absl::EqualsIgnoreCase(coding, "gzip") && !absl::EqualsIgnoreCase(coding, "x-gzip") &&
        coding != "*") {
      continue;
    }
    double q = 1;
    for (size_t i = 1; i < parts.size(); ++i) {
      absl::string_view param = absl::StripAsciiWhitespace(parts[i]);
      if (!absl::ConsumePrefix(&param, "q=") && !absl::ConsumePrefix(&param, "Q=")) continue;
      // A q-value that does not parse counts as 0: the client said
      // something other than "yes".
      if (!absl::SimpleAtod(param, &q)) q = 0;
    }
    if (q > 0) return true;
  }
  return false;
}

void GzipIfAccepted(const Request& request, Response& response, size_t min_bytes) {
  for (const auto& [name, value] : response.headers) {
    if (absl::EqualsIgnoreCase(name, "Content-Encoding")) return;
  }
  response.headers.emplace_back("Vary", "Accept-Encoding");
  if (response.body.size() < min_bytes || !AcceptsGzip(request.Header("Accept-Encoding"))) return;
  response.body = Gzip(response.body);
  response.headers.emplace_back("Content-Encoding", "gzip");
}

}  // namespace vitals::http
