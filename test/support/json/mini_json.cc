#include "test/support/json/mini_json.h"

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace vitals::testing {
namespace {

constexpr int kMaxDepth = 64;

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  absl::StatusOr<Json> Document() {
    Json out;
    if (!Value(out, 0)) return Failure();
    SkipSpace();
    if (pos_ != in_.size()) {
      Fail("trailing characters");
      return Failure();
    }
    return out;
  }

 private:
  absl::Status Failure() const {
    return absl::InvalidArgumentError(absl::StrCat("json: ", error_, " at offset ", pos_));
  }
  // The first problem wins: callers unwind with false.
  bool Fail(const char* what) {
    if (error_.empty()) error_ = what;
    return false;
  }

  void SkipSpace() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Literal(std::string_view word) {
    if (in_.substr(pos_, word.size()) != word) return Fail("bad literal");
    pos_ += word.size();
    return true;
  }

  bool Value(Json& out, int depth) {
    if (depth > kMaxDepth) return Fail("nesting too deep");
    SkipSpace();
    if (pos_ == in_.size()) return Fail("unexpected end");
    switch (in_[pos_]) {
      case '{':
        return Object(out, depth);
      case '[':
        return Array(out, depth);
      case '"':
        out.kind = Json::Kind::kString;
        return String(out.text);
      case 't':
        out.kind = Json::Kind::kBool;
        out.boolean = true;
        return Literal("true");
      case 'f':
        out.kind = Json::Kind::kBool;
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Number(out);
    }
  }

  bool Number(Json& out) {
    const size_t start = pos_;
    while (pos_ < in_.size() &&
           std::string_view("+-0123456789.eE").find(in_[pos_]) != std::string_view::npos) {
      ++pos_;
    }
    if (pos_ == start) return Fail("unexpected character");
    out.kind = Json::Kind::kNumber;
    out.text.assign(in_.substr(start, pos_ - start));
    char* end = nullptr;
    out.number = std::strtod(out.text.c_str(), &end);
    if (end != out.text.c_str() + out.text.size()) {
      pos_ = start;
      return Fail("bad number");
    }
    return true;
  }

  bool Object(Json& out, int depth) {
    out.kind = Json::Kind::kObject;
    ++pos_;  // '{'
    SkipSpace();
    if (pos_ < in_.size() && in_[pos_] == '}') return ++pos_, true;
    while (true) {
      SkipSpace();
      if (pos_ == in_.size() || in_[pos_] != '"') return Fail("expected a key");
      Json::Member member;
      if (!String(member.name)) return false;
      SkipSpace();
      if (pos_ == in_.size() || in_[pos_] != ':') return Fail("expected ':'");
      ++pos_;
      if (!Value(member.value, depth + 1)) return false;
      out.members.push_back(std::move(member));
      SkipSpace();
      if (pos_ == in_.size()) return Fail("unterminated object");
      const char c = in_[pos_++];
      if (c == '}') return true;
      if (c != ',') return Fail("expected ',' or '}'");
    }
  }

  bool Array(Json& out, int depth) {
    out.kind = Json::Kind::kArray;
    ++pos_;  // '['
    SkipSpace();
    if (pos_ < in_.size() && in_[pos_] == ']') return ++pos_, true;
    while (true) {
      Json item;
      if (!Value(item, depth + 1)) return false;
      out.items.push_back(std::move(item));
      SkipSpace();
      if (pos_ == in_.size()) return Fail("unterminated array");
      const char c = in_[pos_++];
      if (c == ']') return true;
      if (c != ',') return Fail("expected ',' or ']'");
    }
  }

  bool Hex4(uint32_t& out) {
    if (in_.size() - pos_ < 4) return Fail("short \\u escape");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = in_[pos_++];
      out <<= 4;
      if (h >= '0' && h <= '9') {
        out |= h - '0';
      } else if (h >= 'a' && h <= 'f') {
        out |= h - 'a' + 10;
      } else if (h >= 'A' && h <= 'F') {
        out |= h - 'A' + 10;
      } else {
        return Fail("bad hex digit");
      }
    }
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool Escape(std::string& out) {
    if (pos_ == in_.size()) return Fail("unterminated escape");
    const char e = in_[pos_++];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out.push_back(e);
        return true;
      case 'b':
        out.push_back('\b');
        return true;
      case 'f':
        out.push_back('\f');
        return true;
      case 'n':
        out.push_back('\n');
        return true;
      case 'r':
        out.push_back('\r');
        return true;
      case 't':
        out.push_back('\t');
        return true;
      case 'u':
        break;
      default:
        return Fail("bad escape");
    }
    uint32_t cp = 0;
    if (!Hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail("lone low surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (in_.substr(pos_, 2) != "\\u") return Fail("lone high surrogate");
      pos_ += 2;
      uint32_t low = 0;
      if (!Hex4(low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return Fail("bad low surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(cp, out);
    return true;
  }

  bool String(std::string& out) {
    ++pos_;  // opening quote
    out.clear();
    while (true) {
      if (pos_ == in_.size()) return Fail("unterminated string");
      const char c = in_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out.push_back(c);
      } else if (!Escape(out)) {
        return false;
      }
    }
  }

  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

const Json* Json::Find(std::string_view key) const {
  for (const Member& member : members) {
    if (member.name == key) return &member.value;
  }
  return nullptr;
}

std::string Json::StringOr(std::string_view key, std::string fallback) const {
  const Json* value = Find(key);
  if (value == nullptr || value->kind != Kind::kString) return fallback;
  return value->text;
}

absl::StatusOr<Json> Json::Parse(std::string_view text) { return Reader(text).Document(); }

absl::StatusOr<Json> ReadJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<Json> json = Json::Parse(text.str());
  if (!json.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", json.status().message()));
  }
  return json;
}

}  // namespace vitals::testing
