#pragma once

// Just enough JSON to read the conformance corpus (one object per line):
// objects, arrays, strings with every escape, numbers kept as written so
// that 64-bit integers survive exactly, true/false/null. Test-only.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vitals::testing {

struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;  // a string's value, or a number as written
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;

  const Json* Find(std::string_view key) const {
    for (const auto& [k, v] : members) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view in) : in_(in) {}

  // Parses one complete document; false (with error()) on bad syntax.
  bool Read(Json& out) {
    if (!Value(out, 0)) return false;
    SkipSpace();
    if (pos_ != in_.size()) return Error("trailing characters");
    return true;
  }
  const std::string& error() const { return error_; }

 private:
  bool Error(std::string what) {
    error_ = what + " at offset " + std::to_string(pos_);
    return false;
  }
  void SkipSpace() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Literal(std::string_view word) {
    if (in_.substr(pos_, word.size()) != word) return Error("bad literal");
    pos_ += word.size();
    return true;
  }
  bool Value(Json& out, int depth) {
    if (depth > 64) return Error("nesting too deep");
    SkipSpace();
    if (pos_ == in_.size()) return Error("unexpected end");
    const char c = in_[pos_];
    if (c == '{') return Object(out, depth);
    if (c == '[') return Array(out, depth);
    if (c == '"') {
      out.kind = Json::Kind::kString;
      return String(out.text);
    }
    if (c == 't') {
      out.kind = Json::Kind::kBool;
      out.boolean = true;
      return Literal("true");
    }
    if (c == 'f') {
      out.kind = Json::Kind::kBool;
      return Literal("false");
    }
    if (c == 'n') return Literal("null");
    return Number(out);
  }
  bool Number(Json& out) {
    const size_t start = pos_;
    while (pos_ < in_.size() &&
           std::string_view("+-0123456789.eE").find(in_[pos_]) != std::string_view::npos) {
      ++pos_;
    }
    if (pos_ == start) return Error("unexpected character");
    out.kind = Json::Kind::kNumber;
    out.text.assign(in_.substr(start, pos_ - start));
    return true;
  }
  bool Object(Json& out, int depth) {
    out.kind = Json::Kind::kObject;
    ++pos_;
    SkipSpace();
    if (pos_ < in_.size() && in_[pos_] == '}') return ++pos_, true;
    while (true) {
      SkipSpace();
      if (pos_ == in_.size() || in_[pos_] != '"') return Error("expected a key");
      std::string key;
      if (!String(key)) return false;
      SkipSpace();
      if (pos_ == in_.size() || in_[pos_] != ':') return Error("expected ':'");
      ++pos_;
      Json value;
      if (!Value(value, depth + 1)) return false;
      out.members.emplace_back(std::move(key), std::move(value));
      SkipSpace();
      if (pos_ == in_.size()) return Error("unterminated object");
      if (in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (in_[pos_] == '}') return ++pos_, true;
      return Error("expected ',' or '}'");
    }
  }
  bool Array(Json& out, int depth) {
    out.kind = Json::Kind::kArray;
    ++pos_;
    SkipSpace();
    if (pos_ < in_.size() && in_[pos_] == ']') return ++pos_, true;
    while (true) {
      Json value;
      if (!Value(value, depth + 1)) return false;
      out.items.push_back(std::move(value));
      SkipSpace();
      if (pos_ == in_.size()) return Error("unterminated array");
      if (in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (in_[pos_] == ']') return ++pos_, true;
      return Error("expected ',' or ']'");
    }
  }
  bool Hex4(uint32_t& out) {
    if (in_.size() - pos_ < 4) return Error("short \\u escape");
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
        return Error("bad hex digit");
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
  bool String(std::string& out) {
    ++pos_;  // opening quote
    out.clear();
    while (true) {
      if (pos_ == in_.size()) return Error("unterminated string");
      const char c = in_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ == in_.size()) return Error("unterminated escape");
      const char e = in_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (in_.substr(pos_, 2) != "\\u") return Error("lone high surrogate");
            pos_ += 2;
            if (!Hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return Error("bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Error("lone low surrogate");
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Error("bad escape");
      }
    }
  }

  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace vitals::testing
