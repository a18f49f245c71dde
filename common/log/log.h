#pragma once

// Structured log lines on stderr in logfmt (`ts=… level=info msg="…" k=v`),
// so that log shippers parse them without a schema. Logging is for events,
// not per-sample: the data path counts in self-metrics instead.

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace vitals::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Returns false for an unknown name.
bool ParseLevel(std::string_view name, Level* out);
void SetLevel(Level level);
bool Enabled(Level level);

using Field = std::pair<std::string_view, std::string>;

void Write(Level level, std::string_view msg, std::span<const Field> fields);
inline void Write(Level level, std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(level, msg, std::span<const Field>(fields.begin(), fields.size()));
}

inline void Debug(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kDebug, msg, f);
}
inline void Info(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, msg, f);
}
inline void Warn(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kWarn, msg, f);
}
inline void Error(std::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kError, msg, f);
}

}  // namespace vitals::log
