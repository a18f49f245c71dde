#include "gateway/receivers/pushgateway/path.h"

#include <algorithm>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/prom_escape.h"
#include "common/base/status_macros.h"
#include "common/base/strings.h"
#include "common/base/utf8.h"

namespace vitals::gateway {
namespace {

constexpr std::string_view kBase64Suffix = "@base64";

absl::Status Invalid(std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("invalid Pushgateway path: ", AsAbsl(reason)));
}

// For messages: a segment as sent, quoted, unprintable bytes escaped and
// long ones cut, so that a hostile path cannot flood a log line.
std::string Quote(std::string_view s) {
  constexpr size_t kMax = 64;
  std::string out = absl::StrCat("\"", absl::CHexEscape(AsAbsl(s.substr(0, kMax))), "\"");
  if (s.size() > kMax) out.insert(out.size() - 1, "...");
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// URL path unescaping as Go's url.PathUnescape: `%XX` only, `+` stays `+`.
bool PercentDecode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (in.size() - i < 3) return false;
    const int hi = HexDigit(in[i + 1]);
    const int lo = HexDigit(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

int Base64UrlDigit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// RFC 4648 §5 (url-safe) with any number of trailing '=' dropped first, as
// Pushgateway does; so `=` alone decodes to the empty string.
bool Base64UrlDecode(std::string_view in, std::string& out) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return false;
  out.clear();
  out.reserve(in.size() * 3 / 4);
  uint32_t bits = 0;
  int nbits = 0;
  for (char c : in) {
    const int d = Base64UrlDigit(c);
    if (d < 0) return false;
    bits = (bits << 6) | static_cast<uint32_t>(d);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(static_cast<char>((bits >> nbits) & 0xFF));
    }
  }
  return true;
}

// Prometheus' classic label names, minus the `__` prefix it reserves.
bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__") return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Decodes the value segment of `name` (the job or a label).
absl::Status DecodeValue(std::string_view segment, bool base64, std::string_view name,
                         std::string& out) {
  std::string unescaped;
  if (!PercentDecode(segment, unescaped)) {
    return Invalid(
        absl::StrCat("bad percent-encoding in the value of ", AsAbsl(name), ": ", Quote(segment)));
  }
  if (base64) {
    if (unescaped.empty()) {
      return Invalid(absl::StrCat("empty segment after ", AsAbsl(name),
                                  "@base64; an empty value is written as \"=\""));
    }
    if (!Base64UrlDecode(unescaped, out)) {
      return Invalid(
          absl::StrCat("bad url-safe base64 in the value of ", AsAbsl(name), ": ", Quote(segment)));
    }
  } else {
    out = std::move(unescaped);
  }
  if (!IsValidUtf8(out)) {
    return Invalid(absl::StrCat("the value of ", AsAbsl(name), " is not valid UTF-8"));
  }
  return absl::OkStatus();
}

std::vector<std::string_view> SplitSegments(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      segments.push_back(path.substr(start));
      return segments;
    }
    segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

}  // namespace

std::string GroupingKey::Canonical() const {
  std::string out = "{job=\"";
  AppendPromEscaped(out, job);
  out += '"';
  for (const auto& [name, value] : labels) {
    out += ',';
    out += name;
    out += "=\"";
    AppendPromEscaped(out, value);
    out += '"';
  }
  out += '}';
  return out;
}

absl::StatusOr<GroupingKey> ParsePushgatewayPath(std::string_view path, size_t max_labels) {
  if (path.empty()) return Invalid("empty; expected job/<job name>{/<label>/<value>}");
  const std::vector<std::string_view> segments = SplitSegments(path);

  std::string first;
  if (!PercentDecode(segments[0], first)) {
    return Invalid(absl::StrCat("bad percent-encoding in ", Quote(segments[0])));
  }
  if (first != "job" && first != "job@base64") {
    return Invalid(absl::StrCat("must start with job/ or job@base64/, not ", Quote(segments[0])));
  }
  if (segments.size() < 2 || segments[1].empty()) return Invalid("the job name is missing");

  GroupingKey key;
  RETURN_IF_ERROR(DecodeValue(segments[1], first == "job@base64", "job", key.job));
  if (key.job.empty()) return Invalid("the job name is empty");

  // A single trailing slash right after the job names no labels, as in
  // Pushgateway, whose router hands `/` to the label splitter.
  size_t end = segments.size();
  if (end == 3 && segments[2].empty()) end = 2;
  if ((end - 2) % 2 != 0) {
    if (segments[end - 1].empty()) {
      return Invalid(absl::StrCat("trailing '/' after the value of ", Quote(segments[end - 2])));
    }
    return Invalid(absl::StrCat("label ", Quote(segments[end - 1]), " has no value"));
  }
  // Checked before anything is decoded: a path of thousands of labels
  // costs nothing to refuse.
  if ((end - 2) / 2 > max_labels) {
    return Invalid(absl::StrCat("more than ", max_labels, " grouping labels"));
  }

  for (size_t i = 2; i < end; i += 2) {
    std::string name;
    if (!PercentDecode(segments[i], name)) {
      return Invalid(absl::StrCat("bad percent-encoding in label name ", Quote(segments[i])));
    }
    const bool base64 =
        name.size() >= kBase64Suffix.size() &&
        std::string_view(name).substr(name.size() - kBase64Suffix.size()) == kBase64Suffix;
    if (base64) name.resize(name.size() - kBase64Suffix.size());
    if (!IsValidLabelName(name)) {
      return Invalid(absl::StrCat("improper label name ", Quote(name),
                                  " (want [a-zA-Z_][a-zA-Z0-9_]*, not starting with __)"));
    }
    if (!base64 && segments[i + 1].empty()) {
      return Invalid(absl::StrCat("empty value for label ", AsAbsl(name), "; send ", AsAbsl(name),
                                  "@base64/= for an empty value"));
    }
    std::string value;
    RETURN_IF_ERROR(DecodeValue(segments[i + 1], base64, name, value));
    key.labels.emplace_back(std::move(name), std::move(value));
  }

  std::sort(key.labels.begin(), key.labels.end());
  for (size_t i = 0; i < key.labels.size(); ++i) {
    const std::string& name = key.labels[i].first;
    if (name == "job") {
      return Invalid("label job repeats the job segment; the job is the segment after job/");
    }
    if (i > 0 && name == key.labels[i - 1].first) {
      return Invalid(absl::StrCat("label ", name, " appears more than once"));
    }
  }
  return key;
}

}  // namespace vitals::gateway
