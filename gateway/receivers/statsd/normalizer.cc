#include "gateway/receivers/statsd/normalizer.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/prom_chars.h"
#include "common/base/strings.h"

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

struct StatsdNormalizer::Identity {
  bool ok = false;
  v1::Scope scope = v1::SCOPE_UNSPECIFIED;
  Suffix suffix = Suffix::kNone;
  std::string_view quantile;  // static
  std::string metric;         // canonical
  std::string count_metric;   // `<metric>_count`, for a meter's `.count`
  // The identifier without `.rate`/`.count`: a meter's two lines share it.
  std::string base;
  bool known_meter = false;
  std::string job_name;
  std::string job_id;
  std::vector<std::pair<std::string, std::string>> label_storage;
  std::vector<LabelView> labels;  // into label_storage, sorted by name
};

struct StatsdNormalizer::Sender {
  std::string source;  // "statsd:<address>"
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

void StatsdNormalizer::BeginDatagram(std::string_view sender, int64_t now_ms) {
  now_ms_ = now_ms;
  sender_ = &SenderFor(sender);
}

StatsdNormalizer::Sender& StatsdNormalizer::SenderFor(std::string_view name) {
  if (auto it = senders_.find(AsAbsl(name)); it != senders_.end()) return it->second;
  if (senders_.size() >= options_.max_senders) ClearSenders();
  Sender& sender = senders_[std::string(name)];
  sender.source = absl::StrCat("statsd:", AsAbsl(name));
  return sender;
}

void StatsdNormalizer::OnMetric(const StatsdMetric& metric) {
  if (sender_ == nullptr) BeginDatagram({}, now_ms_);
  if (metric.type != StatsdType::kGauge) {
    if (sender_->held != nullptr) EmitHeld(*sender_);
    ++stats_.rejected_type;
    return;
  }
  Identity& id = Lookup(metric.name);  // may clear caches, and with them holds
  Sender& sender = *sender_;
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
    meter_bases_.insert(id.base);
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
  // Flink's own meters are all named …PerSecond.
  if (meter_bases_.contains(id.base) || absl::EndsWith(id.base, "PerSecond")) {
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

StatsdNormalizer::Identity& StatsdNormalizer::Lookup(std::string_view identifier) {
  if (auto it = identities_.find(AsAbsl(identifier)); it != identities_.end()) return it->second;
  if (identities_.size() >= options_.max_identifiers) ClearIdentities();
  auto [it, inserted] = identities_.try_emplace(std::string(identifier));
  Parse(it->first, it->second);
  return it->second;
}

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

  for (const LabelView& variable : match->variables) {
    std::string value = Filtered(variable.value);
    if (variable.name == "job_name") {
      id.job_name = std::move(value);
    } else if (variable.name == "job_id") {
      id.job_id = std::move(value);
    } else {
      id.label_storage.emplace_back(std::string(variable.name), std::move(value));
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
      id.base = std::string(identifier.substr(0, identifier.size() - token.size() - 1));
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
    id.label_storage.emplace_back(std::move(part),
                                  Filtered(Span(tokens[i + 1], tokens[value_end - 1])));
    i = value_end;
  }
  id.metric = absl::StrCat(AsAbsl(metric_prefix), name);
  id.count_metric = absl::StrCat(id.metric, "_count");

  // Views only once the storage has stopped moving; variables first, so a
  // key/value label never overrides one.
  std::stable_sort(id.label_storage.begin(), id.label_storage.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [name, value] : id.label_storage) {
    if (!id.labels.empty() && id.labels.back().name == name) continue;
    id.labels.push_back({name, value});
  }
  id.ok = true;
}

void StatsdNormalizer::ClearIdentities() {
  // Holds and repeats point at identities: settle them first.
  ReleaseHeld(std::numeric_limits<int64_t>::max());
  for (auto& [name, sender] : senders_) sender.last = nullptr;
  identities_.clear();
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
