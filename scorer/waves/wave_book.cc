#include "scorer/waves/wave_book.h"

#include <algorithm>

#include "google/protobuf/util/message_differencer.h"

namespace vitals::scorer {

WaveBook::Outcome WaveBook::Apply(std::string_view key, std::string_view value) {
  if (key.empty()) return Outcome::kMalformed;
  absl::MutexLock lock(&mu_);
  if (value.empty()) {
    auto it = waves_.find(key);
    if (it == waves_.end()) return Outcome::kForgotten;
    waves_.erase(it);
    ++version_;
    return Outcome::kForgotten;
  }
  v1::Wave wave;
  if (!wave.ParseFromArray(value.data(), static_cast<int>(value.size())) || wave.name() != key) {
    return Outcome::kMalformed;
  }
  return PutLocked(wave);
}

WaveBook::Outcome WaveBook::Put(const v1::Wave& wave) {
  if (wave.name().empty()) return Outcome::kMalformed;
  absl::MutexLock lock(&mu_);
  return PutLocked(wave);
}

WaveBook::Outcome WaveBook::PutLocked(const v1::Wave& wave) {
  auto [it, added] = waves_.try_emplace(wave.name(), wave);
  if (added) {
    ++version_;
    return Outcome::kAdded;
  }
  if (google::protobuf::util::MessageDifferencer::Equals(it->second, wave)) {
    return Outcome::kUnchanged;
  }
  it->second = wave;
  ++version_;
  return Outcome::kReplaced;
}

std::optional<v1::Wave> WaveBook::Get(std::string_view name) const {
  absl::MutexLock lock(&mu_);
  auto it = waves_.find(name);
  if (it == waves_.end()) return std::nullopt;
  return it->second;
}

std::vector<v1::Wave> WaveBook::List() const {
  std::vector<v1::Wave> out;
  {
    absl::MutexLock lock(&mu_);
    out.reserve(waves_.size());
    for (const auto& [name, wave] : waves_) out.push_back(wave);
  }
  std::stable_sort(out.begin(), out.end(), [](const v1::Wave& a, const v1::Wave& b) {
    return a.at() > b.at();  // names already ascending among equals
  });
  return out;
}

std::vector<v1::Wave> WaveBook::Since(int64_t at_ms) const {
  std::vector<v1::Wave> out = List();
  std::erase_if(out, [&](const v1::Wave& w) { return w.at() < at_ms; });
  return out;
}

size_t WaveBook::size() const {
  absl::MutexLock lock(&mu_);
  return waves_.size();
}

uint64_t WaveBook::version() const {
  absl::MutexLock lock(&mu_);
  return version_;
}

}  // namespace vitals::scorer
