#include "gateway/receivers/statsd/normalizer.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <new>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "common/base/prom_chars.h"
#include "common/base/strings.h"
#include "common/flink/catalog.h"

namespace vitals::gateway {
namespace {

// What StatsDReporter appended to the Flink metric (always with a '.').
enum class Suffix : uint8_t { kNone, kRate, kCount, kStat };

struct SuffixRule {
  std::string_view token;
  Suffix suffix;
  // The summary sample the Prometheus path writes for it: PrometheusReporter
  // spells min and max as the quantiles "0.0" and "1.0".
  std::string_view quantile;
};

constexpr std::array<SuffixRule, 12> kSuffixes = {{
    {"rate", Suffix::kRate, {}},
    {"count", Suffix::kCount, "count"},
    {"min", Suffix::kStat, "0.0"},
    {"max", Suffix::kStat, "1.0"},
    {"mean", Suffix::kStat, "mean"},
    {"stddev", Suffix::kStat, "stddev"},
    {"p50", Suffix::kStat, "0.5"},
    {"p75", Suffix::kStat, "0.75"},
    {"p95", Suffix::kStat, "0.95"},
    {"p98", Suffix::kStat, "0.98"},
    {"p99", Suffix::kStat, "0.99"},
    {"p999", Suffix::kStat, "0.999"},
}};

std::string Filtered(std::string_view value) {
  std::string out(value);
  FilterLabelValue(out);
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char delimiter) {
  std::vector<std::string_view> tokens;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(delimiter, start);
    tokens.push_back(s.substr(start, end - start));
    if (end == std::string_view::npos) return tokens;
    start = end + 1;
  }
}

// The text from the first to the last of `tokens`, delimiters included:
// the tokens are views into one string.
std::string_view Span(std::string_view first, std::string_view last) {
  return std::string_view(first.data(), last.data() + last.size() - first.data());
}

bool ByName(const LabelView& a, const LabelView& b) { return a.name < b.name; }

}  // namespace

// One allocation: the struct, then the identifier's bytes.
struct StatsdNormalizer::Identity {
  Identity* next = nullptr;  // the identity its sender sent after it last time
  uint32_t key_size = 0;
  bool ok = false;
  bool known_meter = false;
  Suffix suffix = Suffix::kNone;
  v1::Scope scope = v1::SCOPE_UNSPECIFIED;
  std::string_view quantile;      // static
  std::string_view metric;        // canonical; interned
  std::string_view count_metric;  // `<metric>_count`, for a meter's `.count`; interned
  // The identifier without `.rate`/`.count` (a prefix of it): a meter's two
  // lines share it.
  std::string_view base;
  std::string_view job_name;                 // interned
  std::string_view job_id;                   // interned
  absl::InlinedVector<LabelView, 6> labels;  // interned, sorted by name

  std::string_view key() const { return {reinterpret_cast<const char*>(this + 1), key_size}; }

  static Identity* New(std::string_view identifier) {
    void* memory = ::operator new(sizeof(Identity) + identifier.size());
    auto* id = new (memory) Identity;
    id->key_size = static_cast<uint32_t>(identifier.size());
    std::memcpy(id + 1, identifier.data(), identifier.size());
    return id;
  }

  // Asks for the identity and a typical identifier's bytes in the cache
  // ahead of use, without waiting for any of it.
  void Prefetch() const {
    const char* p = reinterpret_cast<const char*>(this);
    for (size_t offset = 0; offset < sizeof(Identity) + 128; offset += 64) {
      __builtin_prefetch(p + offset);
    }
  }
};

void StatsdNormalizer::FreeIdentity::operator()(Identity* id) const {
  id->~Identity();
  ::operator delete(id);
}

struct StatsdNormalizer::Sender {
  std::string_view key;  // the map's key
  std::string source;    // "statsd:<address>"
  // The identity of the sender's previous line: where the guess starts.
  Identity* cursor = nullptr;
  // The previous line, for Flink's repeat.
  Identity* last = nullptr;
  std::string last_raw;
  int64_t last_ms = 0;
  // A `0` waiting for the next line.
  Identity* held = nullptr;
  int64_t held_ms = 0;
  bool in_holding_list = false;
};

absl::StatusOr<std::unique_ptr<StatsdNormalizer>> StatsdNormalizer::Create(
    StatsdNormalizerOptions options, FlinkSampleSink* next) {
  absl::StatusOr<ScopeParser> parser = ScopeParser::Create(options.scope_formats);
  if (!parser.ok()) return parser.status();
  if (options.max_identifiers == 0 || options.max_senders == 0) {
    return absl::InvalidArgumentError("statsd normalizer: cache sizes must be positive");
  }
  return std::unique_ptr<StatsdNormalizer>(
      new StatsdNormalizer(std::move(options), std::move(*parser), next));
}

StatsdNormalizer::StatsdNormalizer(StatsdNormalizerOptions options, ScopeParser parser,
                                   FlinkSampleSink* next)
    : options_(std::move(options)), scope_parser_(std::move(parser)), next_(next) {}

StatsdNormalizer::~StatsdNormalizer() = default;

void StatsdNormalizer::BeginDatagram(std::string_view key, absl::FunctionRef<std::string()> name,
                                     int64_t now_ms) {
  now_ms_ = now_ms;
  // Consecutive datagrams mostly come from one sender (a report's burst).
  if (sender_ == nullptr || sender_->key != key) sender_ = &SenderFor(key, name);
}

StatsdNormalizer::Sender& StatsdNormalizer::SenderFor(std::string_view key,
                                                      absl::FunctionRef<std::string()> name) {
  if (auto it = senders_.find(AsAbsl(key)); it != senders_.end()) return it->second;
  if (senders_.size() >= options_.max_senders) ClearSenders();
  auto [it, inserted] = senders_.try_emplace(std::string(key));
  Sender& sender = it->second;
  sender.key = it->first;
  sender.source = absl::StrCat("statsd:", name());
  return sender;
}

void StatsdNormalizer::OnMetric(const StatsdMetric& metric) {
  if (sender_ == nullptr) BeginDatagram({}, now_ms_);
  if (metric.type != StatsdType::kGauge) {
    if (sender_->held != nullptr) EmitHeld(*sender_);
    ++stats_.rejected_type;
    return;
  }
  Sender& sender = *sender_;
  Identity& id = Lookup(metric.name, sender);  // may clear caches, and with them holds
  if (sender.held != nullptr) {
    const bool negative = metric.signed_delta && metric.raw_value.front() == '-';
    if (sender.held == &id && negative) {
      // Flink's reset before a negative value, not a reading.
      sender.held = nullptr;
      --held_count_;
      ++stats_.reset_zeros;
    } else {
      EmitHeld(sender);
    }
  }
  if (!id.ok) {
    ++stats_.rejected_scope;
    sender.last = nullptr;
    return;
  }
  ++stats_.lines;
  if (sender.last == &id && sender.last_raw == metric.raw_value &&
      now_ms_ - sender.last_ms <= options_.repeat_window_ms) {
    ++stats_.repeats;
    return;
  }
  sender.last = &id;
  sender.last_raw.assign(metric.raw_value);
  sender.last_ms = now_ms_;

  if (id.suffix == Suffix::kRate && !id.known_meter) {
    if (meter_bases_.size() >= options_.max_identifiers) meter_bases_.clear();
    meter_bases_.insert(std::string(id.base));
    id.known_meter = true;
  }
  // Flink writes its reset as a bare "0"; a double reading of zero is "0.0".
  if (metric.raw_value == "0" && !metric.signed_delta && metric.tags.empty()) {
    sender.held = &id;
    sender.held_ms = now_ms_;
    ++held_count_;
    if (!sender.in_holding_list) {
      sender.in_holding_list = true;
      holding_.push_back(&sender);
    }
    return;
  }
  Emit(id, sender, &metric, metric.value, now_ms_);
}

void StatsdNormalizer::OnReject(size_t line, std::string_view reason) {
  if (sender_ != nullptr && sender_->held != nullptr) EmitHeld(*sender_);
  if (reason == statsd_reject::kBadValue) {
    ++stats_.rejected_text;
  } else {
    ++stats_.rejected_syntax;
  }
}

size_t StatsdNormalizer::ReleaseHeld(int64_t now_ms) {
  size_t released = 0;
  size_t kept = 0;
  for (Sender* sender : holding_) {
    if (sender->held != nullptr && (now_ms == std::numeric_limits<int64_t>::max() ||
                                    now_ms - sender->held_ms >= options_.hold_ms)) {
      EmitHeld(*sender);
      ++released;
    }
    if (sender->held != nullptr) {
      holding_[kept++] = sender;
    } else {
      sender->in_holding_list = false;
    }
  }
  holding_.resize(kept);
  return released;
}

void StatsdNormalizer::EmitHeld(Sender& sender) {
  Identity& id = *sender.held;
  sender.held = nullptr;
  --held_count_;
  Emit(id, sender, nullptr, 0.0, sender.held_ms);
}

bool StatsdNormalizer::IsMeter(Identity& id) {
  if (id.known_meter) return true;
  // A meter sends `.rate` before `.count`; a histogram starts with `.count`.
  // Flink's own meters the catalog knows by name.
  if (meter_bases_.contains(AsAbsl(id.base)) || flink::IsMeter(id.metric)) {
    id.known_meter = true;
  }
  return id.known_meter;
}

void StatsdNormalizer::Emit(Identity& id, Sender& sender, const StatsdMetric* metric, double value,
                            int64_t timestamp_ms) {
  FlinkSample out;
  out.scope = id.scope;
  out.metric = id.metric;
  out.job_id = id.job_id;
  out.job_name = id.job_name;
  out.labels = id.labels;
  out.value = value;
  out.timestamp_ms = timestamp_ms;
  out.source = sender.source;
  switch (id.suffix) {
    case Suffix::kNone:
    case Suffix::kRate:
      out.type = SampleType::kGauge;
      break;
    case Suffix::kStat:
      out.type = SampleType::kSummary;
      out.quantile = id.quantile;
      break;
    case Suffix::kCount:
      if (IsMeter(id)) {
        if (!options_.meter_counts) {
          ++stats_.meter_counts;
          return;
        }
        out.metric = id.count_metric;
        out.type = SampleType::kCounter;
      } else {
        out.type = SampleType::kSummary;
        out.quantile = id.quantile;
      }
      break;
  }
  if (metric != nullptr && !metric->tags.empty()) {
    // DogStatsD tags add labels; the identifier's variables win a clash.
    labels_.assign(id.labels.begin(), id.labels.end());
    tags_.clear();
    for (const LabelView& tag : metric->tags) {
      std::string& name = tags_.emplace_back(tag.name);
      FilterPromChars(name);
      const bool clash = name == "job_name" || name == "job_id" ||
                         std::any_of(id.labels.begin(), id.labels.end(),
                                     [&](const LabelView& l) { return l.name == name; });
      if (clash) continue;
      std::string& tag_value = tags_.emplace_back(tag.value);
      FilterLabelValue(tag_value);
      labels_.push_back({name, tag_value});
    }
    std::sort(labels_.begin(), labels_.end(), ByName);
    out.labels = labels_;
  }
  ++stats_.samples;
  next_->OnFlinkSample(out);
}

StatsdNormalizer::Identity& StatsdNormalizer::Lookup(std::string_view identifier, Sender& sender) {
  Identity* const previous = sender.cursor;
  if (previous != nullptr) {
    if (previous->key() == identifier) return *previous;  // Flink's repeat
    if (Identity* guess = previous->next; guess != nullptr && guess->key() == identifier) {
      sender.cursor = guess;
      if (guess->next != nullptr) guess->next->Prefetch();  // the sender's next line
      return *guess;
    }
  }
  Identity* id;
  if (auto it = identities_.find(identifier); it != identities_.end()) {
    id = it->second.get();
  } else {
    if (identities_.size() >= options_.max_identifiers) ClearIdentities();  // and every cursor
    std::unique_ptr<Identity, FreeIdentity> added(Identity::New(identifier));
    id = added.get();
    identities_.emplace(id->key(), std::move(added));
    Parse(id->key(), *id);
  }
  if (sender.cursor != nullptr) sender.cursor->next = id;
  sender.cursor = id;
  return *id;
}

std::string_view StatsdNormalizer::Intern(std::string_view s) { return *strings_.emplace(s).first; }

void StatsdNormalizer::Parse(std::string_view identifier, Identity& id) {
  ++stats_.identifier_parses;
  absl::StatusOr<ScopeMatch> match = scope_parser_.Parse(identifier);
  if (!match.ok()) return;  // id.ok stays false: refused as "scope" on every sighting

  std::string_view metric_prefix;
  switch (match->scope) {
    case FlinkScope::kJobManager:
      id.scope = v1::SCOPE_JOBMANAGER;
      break;
    case FlinkScope::kJobManagerJob:
      id.scope = v1::SCOPE_JOBMANAGER_JOB;
      break;
    case FlinkScope::kJobManagerOperator:
      // PrometheusReporter names these flink_jobmanager_job_operator_<m>,
      // which the Prometheus path reads as job scope, metric operator_<m>.
      id.scope = v1::SCOPE_JOBMANAGER_JOB;
      metric_prefix = "operator_";
      break;
    case FlinkScope::kTaskManager:
      id.scope = v1::SCOPE_TASKMANAGER;
      break;
    case FlinkScope::kTaskManagerJob:
      id.scope = v1::SCOPE_TASKMANAGER_JOB;
      break;
    case FlinkScope::kTask:
      id.scope = v1::SCOPE_TASKMANAGER_JOB_TASK;
      break;
    case FlinkScope::kOperator:
      id.scope = v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR;
      break;
  }

  std::vector<LabelView> labels;
  for (const LabelView& variable : match->variables) {
    const std::string_view value = Intern(Filtered(variable.value));
    if (variable.name == "job_name") {
      id.job_name = value;
    } else if (variable.name == "job_id") {
      id.job_id = value;
    } else {
      labels.push_back({Intern(variable.name), value});
    }
  }

  // StatsDReporter's suffix, always after a '.'.
  std::string_view path = match->metric;
  if (const size_t dot = path.rfind('.'); dot != std::string_view::npos && dot > 0) {
    const std::string_view token = path.substr(dot + 1);
    for (const SuffixRule& rule : kSuffixes) {
      if (rule.token != token) continue;
      id.suffix = rule.suffix;
      id.quantile = rule.quantile;
      path = path.substr(0, dot);
      id.base = identifier.substr(0, identifier.size() - token.size() - 1);
      break;
    }
  }

  // The metric path: groups joined by the delimiter, the name last. A
  // key/value group contributes its key to the name and its value as a label.
  const char delimiter = options_.scope_formats.delimiter;
  const std::vector<std::string_view> tokens = Split(path, delimiter);
  const size_t n = tokens.size();
  auto is_key = [&](size_t i) {
    // A key needs a value and something after it.
    return i + 2 < n && std::find(options_.key_value_keys.begin(), options_.key_value_keys.end(),
                                  tokens[i]) != options_.key_value_keys.end();
  };
  std::string name;
  for (size_t i = 0; i < n;) {
    std::string part(tokens[i]);
    FilterPromChars(part);
    if (!name.empty()) name.push_back('_');
    name += part;
    if (!is_key(i)) {
      ++i;
      continue;
    }
    size_t value_end = i + 2;
    for (size_t j = i + 2; j < n; ++j) {
      if (is_key(j)) {
        value_end = j;
        break;
      }
    }
    labels.push_back({Intern(part), Intern(Filtered(Span(tokens[i + 1], tokens[value_end - 1])))});
    i = value_end;
  }
  const std::string metric = absl::StrCat(AsAbsl(metric_prefix), name);
  id.metric = Intern(metric);
  id.count_metric = Intern(absl::StrCat(metric, "_count"));

  // Variables first, so a key/value label never overrides one.
  std::stable_sort(labels.begin(), labels.end(), ByName);
  for (const LabelView& label : labels) {
    if (!id.labels.empty() && id.labels.back().name == label.name) continue;
    id.labels.push_back(label);
  }
  id.ok = true;
}

void StatsdNormalizer::ClearIdentities() {
  // Holds and repeats point at identities: settle them first.
  ReleaseHeld(std::numeric_limits<int64_t>::max());
  for (auto& [name, sender] : senders_) {
    sender.last = nullptr;
    sender.cursor = nullptr;
  }
  identities_.clear();
  strings_.clear();
  meter_bases_.clear();
  ++stats_.cache_clears;
}

void StatsdNormalizer::ClearSenders() {
  ReleaseHeld(std::numeric_limits<int64_t>::max());
  holding_.clear();
  senders_.clear();
  sender_ = nullptr;
  ++stats_.cache_clears;
}

}  // namespace vitals::gateway
