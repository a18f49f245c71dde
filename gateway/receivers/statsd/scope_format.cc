#include "gateway/receivers/statsd/scope_format.h"

#include <algorithm>
#include <array>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/base/strings.h"
#include "common/flink/catalog.h"

namespace vitals::gateway {
namespace {

// Variable names, in Flink's ScopeFormat order. Indices are used as ids.
constexpr std::array<std::string_view, 11> kVariableNames = {
    "host",          "tm_id",       "job_id",          "job_name",
    "task_id",       "task_name",   "task_attempt_id", "task_attempt_num",
    "subtask_index", "operator_id", "operator_name",
};
enum Var : int {
  kHost,
  kTmId,
  kJobId,
  kJobName,
  kTaskId,
  kTaskName,
  kTaskAttemptId,
  kTaskAttemptNum,
  kSubtaskIndex,
  kOperatorId,
  kOperatorName,
};

constexpr uint16_t Bits(std::initializer_list<Var> vars) {
  uint16_t bits = 0;
  for (Var v : vars) bits |= static_cast<uint16_t>(1u << v);
  return bits;
}

// Which variables each scope's format may use (Flink's *ScopeFormat
// classes); any other `<name>` stays a literal, as in Flink.
constexpr uint16_t kJobVars = Bits({kHost, kJobId, kJobName});
constexpr uint16_t kTaskVars = Bits({kHost, kTmId, kJobId, kJobName, kTaskId, kTaskName,
                                     kTaskAttemptId, kTaskAttemptNum, kSubtaskIndex});
constexpr std::array<uint16_t, kFlinkScopeCount> kAllowedVars = {
    Bits({kHost}),
    kJobVars,
    static_cast<uint16_t>(kJobVars | Bits({kTaskId, kTaskName, kOperatorId, kOperatorName})),
    Bits({kHost, kTmId}),
    Bits({kHost, kTmId, kJobId, kJobName}),
    kTaskVars,
    static_cast<uint16_t>(kTaskVars | Bits({kOperatorId, kOperatorName})),
};

// The scope whose format a leading '*' inherits, -1 for roots.
constexpr std::array<int, kFlinkScopeCount> kParent = {
    -1,
    static_cast<int>(FlinkScope::kJobManager),
    static_cast<int>(FlinkScope::kJobManagerJob),
    -1,
    static_cast<int>(FlinkScope::kTaskManager),
    static_cast<int>(FlinkScope::kTaskManagerJob),
    static_cast<int>(FlinkScope::kTask),
};

// The catalog's scope bits are these scopes' positions.
constexpr uint8_t ScopeBit(FlinkScope s) { return static_cast<uint8_t>(1u << static_cast<int>(s)); }
static_assert(ScopeBit(FlinkScope::kJobManager) == flink::kJobManagerBit);
static_assert(ScopeBit(FlinkScope::kJobManagerJob) == flink::kJobManagerJobBit);
static_assert(ScopeBit(FlinkScope::kJobManagerOperator) == flink::kJobManagerOperatorBit);
static_assert(ScopeBit(FlinkScope::kTaskManager) == flink::kTaskManagerBit);
static_assert(ScopeBit(FlinkScope::kTaskManagerJob) == flink::kTaskManagerJobBit);
static_assert(ScopeBit(FlinkScope::kTask) == flink::kTaskBit);
static_assert(ScopeBit(FlinkScope::kOperator) == flink::kOperatorBit);

// What StatsDReporter appends with a literal '.' whatever the delimiter:
// meters (.rate, .count) and histogram statistics.
constexpr std::string_view kReporterSuffixes[] = {
    "rate", "count", "max", "min", "mean", "stddev", "p50", "p75", "p95", "p98", "p99", "p999",
};

bool IsReporterSuffix(std::string_view s) {
  return std::find(std::begin(kReporterSuffixes), std::end(kReporterSuffixes), s) !=
         std::end(kReporterSuffixes);
}

// The scopes where Flink registers `metric` (common/flink/catalog.h), 0
// when we do not know it.
uint8_t KnownScopes(std::string_view metric, char delimiter) {
  // "numRecordsInPerSecond.rate" is the meter numRecordsInPerSecond;
  // "latency.p99" is no "latency" group.
  std::string_view base = metric;
  if (const size_t dot = metric.rfind('.');
      dot != std::string_view::npos && IsReporterSuffix(metric.substr(dot + 1))) {
    base = metric.substr(0, dot);
  }
  if (const size_t group_end = base.find(delimiter); group_end != std::string_view::npos) {
    if (const uint8_t scopes = flink::GroupScopes(base.substr(0, group_end)); scopes != 0) {
      return scopes;
    }
  }
  // Flink's own names are short; anything longer is a user metric.
  char buffer[128];
  if (metric.size() > sizeof(buffer)) return 0;
  std::copy(metric.begin(), metric.end(), buffer);
  if (delimiter != '.') std::replace(buffer, buffer + metric.size(), delimiter, '.');
  for (const size_t size : {metric.size(), base.size()}) {
    if (const uint8_t scopes = flink::FixedNameScopes(std::string_view(buffer, size));
        scopes != 0) {
      return scopes;
    }
  }
  return 0;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }

bool AllOf(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}

// Variables whose shape Flink fixes: a reading that breaks it is impossible.
// Returns the longest prefix of `s` that may still be (part of) such a
// value, or s.size() for free-text variables.
size_t HardShapeLimit(int var, std::string_view s) {
  bool (*pred)(char) = nullptr;
  switch (var) {
    case kSubtaskIndex:
    case kTaskAttemptNum:
      pred = IsDigit;
      break;
    case kJobId:
    case kTaskId:
    case kOperatorId:
      pred = IsLowerHex;
      break;
    case kTaskAttemptId:  // 32 hex, or graph_vertex_subtask_attempt (1.16+)
      pred = [](char c) { return IsLowerHex(c) || c == '_'; };
      break;
    default:
      return s.size();
  }
  size_t n = 0;
  while (n < s.size() && pred(s[n])) ++n;
  return n;
}

bool HasHardShape(int var) {
  return var == kSubtaskIndex || var == kTaskAttemptNum || var == kJobId || var == kTaskId ||
         var == kOperatorId || var == kTaskAttemptId;
}

bool HardShapeOk(int var, std::string_view v) {
  switch (var) {
    case kJobId:
    case kTaskId:
    case kOperatorId:
      return v.size() == 32;  // AbstractID hex; characters checked by the limit
    default:
      return true;
  }
}

bool IsHostChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' ||
         c == '_';
}

bool EndsWithDigitsDashDigits(std::string_view s) {
  // "<digits>-<digits>" at the end of s.
  size_t i = s.size();
  size_t n = 0;
  while (i > 0 && IsDigit(s[i - 1])) --i, ++n;
  if (n == 0 || i == 0 || s[i - 1] != '-') return false;
  --i;
  n = 0;
  while (i > 0 && IsDigit(s[i - 1])) --i, ++n;
  return n > 0;
}

// The ResourceID shapes Flink generates: Yarn container ids, Kubernetes
// pod names, standalone "<address>:<port>-<6 hex>", random 32-hex ids.
bool LooksLikeTmId(std::string_view s) {
  if (s.starts_with("container_")) return true;
  if (s.size() == 32 && AllOf(s, IsLowerHex)) return true;
  if (const size_t pos = s.rfind("-taskmanager-"); pos != std::string_view::npos) {
    if (EndsWithDigitsDashDigits(s.substr(pos + 12))) return true;
  }
  if (s.size() > 7 && s[s.size() - 7] == '-' && AllOf(s.substr(s.size() - 6), IsLowerHex)) {
    const std::string_view head = s.substr(0, s.size() - 7);
    const size_t dash = head.rfind('-');
    if (dash != std::string_view::npos && AllOf(head.substr(dash + 1), IsDigit)) return true;
  }
  return false;
}

// Soft shapes: a host or tm_id unlike Flink's makes a reading less likely,
// not impossible (taskmanager.resource-id can be anything).
int ShapeMiss(int var, std::string_view v) {
  if (var == kHost) {
    return std::all_of(v.begin(), v.end(), [](char c) { return IsHostChar(c); }) ? 0 : 1;
  }
  if (var == kTmId) return LooksLikeTmId(v) ? 0 : 1;
  return 0;
}

size_t CodePoints(std::string_view s) {
  return std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; });
}

// Flink's StatsD filter: ':' would end the name on the wire.
std::string Filter(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), ':', '-');
  return out;
}

// Java's String.split("\\."): trailing empty pieces dropped; "" gives [""].
std::vector<std::string> SplitFormat(std::string_view format) {
  std::vector<std::string> pieces;
  size_t start = 0;
  while (true) {
    const size_t dot = format.find('.', start);
    pieces.emplace_back(format.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (format.empty()) return pieces;
  while (!pieces.empty() && pieces.back().empty()) pieces.pop_back();
  return pieces;
}

// How well a reading fits; compared lexicographically, larger is better.
struct Score {
  int metric_fit = 0;    // see MetricFit
  int job_known = 0;     // the caller knows this job name
  int shape_misses = 0;  // host/tm_id not shaped as Flink makes them

  auto Key() const { return std::make_tuple(metric_fit, job_known, -shape_misses); }
};

// How plausible `known` (KnownScopes of the metric) is in `scope`: 3 for a
// metric Flink registers there; for an unknown one, 2 where user metrics
// live (operators; tasks, whose twin reading then decides), 1 in job
// scopes (a built-in we do not list yet), 0 in the process scopes, whose
// metrics are all under Status/System or listed. -1: registered elsewhere.
int MetricFit(uint8_t known, FlinkScope scope) {
  if (known != 0) return (known & ScopeBit(scope)) ? 3 : -1;
  switch (scope) {
    case FlinkScope::kTask:
    case FlinkScope::kOperator:
      return 2;
    case FlinkScope::kJobManager:
    case FlinkScope::kTaskManager:
      return 0;
    default:
      return 1;
  }
}

constexpr int kMaxSteps = 4096;  // bounds the search on adversarial input
constexpr int kKeptReadings = 3;

}  // namespace

namespace scope_format_internal {

// Depth-first search for every way the scope formats fit an identifier.
// Positions are token indices: token k starts after the k-th delimiter.
class Search {
 public:
  Search(std::string_view id, char delimiter, bool values_contain_delimiter,
         const absl::FunctionRef<bool(std::string_view)>* is_known_job)
      : id_(id),
        delimiter_(delimiter),
        values_contain_delimiter_(values_contain_delimiter),
        is_known_job_(is_known_job) {
    for (size_t i = id.find(delimiter); i != std::string_view::npos;
         i = id.find(delimiter, i + 1)) {
      delims_.push_back(i);
    }
    use_reach_ = delims_.size() < 64;  // one bit per token
  }

  void Run(FlinkScope scope, const std::vector<ScopeParser::Component>& components) {
    scope_ = scope;
    components_ = &components;
    const size_t n = components.size();
    inner_.resize(n);
    need_.resize(n + 1);
    need_[n] = 0;
    for (size_t i = n; i-- > 0;) {
      const auto& c = components[i];
      inner_[i] = c.variable >= 0 ? 0 : std::count(c.literal.begin(), c.literal.end(), delimiter_);
      need_[i] = need_[i + 1] + 1 + inner_[i];
    }
    if (use_reach_) ComputeReach();
    bound_ = 0;
    Step(0, 0);
  }

  bool exhausted() const { return steps_ > kMaxSteps; }
  // How many readings share the best score; the first kKeptReadings of
  // them are kept.
  int readings() const { return readings_; }
  ScopeMatch Best(int i) const {
    const Reading& r = best_[i];
    ScopeMatch m;
    m.scope = r.scope;
    m.metric = r.metric;
    uint16_t seen = 0;
    for (const auto& c : *r.components) {
      if (c.variable < 0 || (seen & (1u << c.variable))) continue;
      seen |= 1u << c.variable;
      m.variables.push_back({kVariableNames[c.variable], r.values[c.variable]});
    }
    return m;
  }

 private:
  // A complete reading, kept cheaply until the search is over.
  struct Reading {
    FlinkScope scope;
    const std::vector<ScopeParser::Component>* components;
    std::array<std::string_view, kVariableNames.size()> values;
    std::string_view metric;
  };

  size_t Tokens() const { return delims_.size() + 1; }
  size_t TokenStart(size_t k) const { return k == 0 ? 0 : delims_[k - 1] + 1; }

  // The token after a literal (or repeated value) `text` placed at token
  // k, or 0 when it is not there followed by a delimiter.
  size_t After(size_t k, std::string_view text, size_t inner) const {
    const size_t pos = TokenStart(k);
    const size_t next = k + inner + 1;
    if (next >= Tokens() || delims_[next - 1] != pos + text.size()) return 0;
    return id_.compare(pos, text.size(), text) == 0 ? next : 0;
  }

  // reach_[ci] bit k: components[ci..] can match from token k on and leave
  // a metric (a repeated variable is assumed to match). Step only enters
  // reachable states, so dead ends cost nothing.
  void ComputeReach() {
    const auto& components = *components_;
    const size_t n = components.size();
    reach_.assign(n + 1, 0);
    for (size_t k = 0; k < Tokens(); ++k) {
      if (TokenStart(k) < id_.size()) reach_[n] |= uint64_t{1} << k;
    }
    for (size_t ci = n; ci-- > 0;) {
      const uint64_t next = reach_[ci + 1];
      if (next == 0) break;
      const auto& c = components[ci];
      uint64_t here = 0;
      if (c.variable < 0) {
        for (size_t k = 0; k < Tokens(); ++k) {
          const size_t after = After(k, c.literal, inner_[ci]);
          if (after != 0 && (next >> after & 1)) here |= uint64_t{1} << k;
        }
      } else if (!HasHardShape(c.variable)) {
        if (!values_contain_delimiter_) {
          here = next >> 1;
        } else {
          // A value may end before any later reachable token.
          const int top = 63 - __builtin_clzll(next);
          here = top == 0 ? 0 : (uint64_t{1} << top) - 1;
        }
      } else {
        for (size_t k = 0; k + 1 < Tokens(); ++k) {
          ForEachEnd(c.variable, k, next, [&](size_t) {
            here |= uint64_t{1} << k;
            return false;
          });
        }
      }
      reach_[ci] = here;
    }
  }

  // Calls f(next token) for each value of `var` starting at token k that
  // ends before a token in `allowed` (all tokens without reach_), first
  // the shortest; stops when f returns false.
  template <typename F>
  void ForEachEnd(int var, size_t k, uint64_t allowed, F f) {
    const size_t pos = TokenStart(k);
    const size_t limit = pos + HardShapeLimit(var, id_.substr(pos));
    const size_t last =
        values_contain_delimiter_ ? delims_.size() : std::min(k + 1, delims_.size());
    for (size_t e = k; e < last && delims_[e] <= limit; ++e) {
      if (use_reach_) {
        // Jump to the next allowed end.
        const uint64_t ahead = allowed >> (e + 1);
        if (ahead == 0) return;
        e += __builtin_ctzll(ahead);
        if (e >= last || delims_[e] > limit) return;
      }
      // Flink writes "null" for an empty value: a reading never has one.
      if (delims_[e] == pos || !HardShapeOk(var, id_.substr(pos, delims_[e] - pos))) continue;
      if (!f(e + 1)) return;
    }
  }

  void Step(size_t ci, size_t k) {
    if (use_reach_ && !(reach_[ci] >> k & 1)) return;
    if (++steps_ > kMaxSteps) return;
    const auto& components = *components_;
    if (ci == components.size()) {
      if (TokenStart(k) < id_.size()) Finish(k);
      return;
    }
    if (delims_.size() - k < static_cast<size_t>(need_[ci])) return;
    const auto& c = components[ci];
    if (c.variable < 0) {
      if (const size_t next = After(k, c.literal, inner_[ci]); next != 0) Step(ci + 1, next);
      return;
    }
    const int var = c.variable;
    if (bound_ & (1u << var)) {
      // Flink allows a variable twice in one format; both hold one value.
      const std::string_view v = values_[var];
      const size_t inner = std::count(v.begin(), v.end(), delimiter_);
      if (const size_t next = After(k, v, inner); next != 0) Step(ci + 1, next);
      return;
    }
    const size_t pos = TokenStart(k);
    const uint64_t allowed = use_reach_ ? reach_[ci + 1] : ~uint64_t{0};
    ForEachEnd(var, k, allowed, [&](size_t next) {
      const std::string_view v = id_.substr(pos, delims_[next - 1] - pos);
      values_[var] = v;
      bound_ |= 1u << var;
      const int miss = ShapeMiss(var, v);
      shape_misses_ += miss;
      Step(ci + 1, next);
      shape_misses_ -= miss;
      bound_ &= ~(1u << var);
      return steps_ <= kMaxSteps;
    });
  }

  void Finish(size_t k) {
    const std::string_view metric = id_.substr(TokenStart(k));
    // Many readings share a metric: classify each start once.
    if (k >= known_.size()) known_.resize(k + 1, -1);
    if (known_[k] < 0) known_[k] = KnownScopes(metric, delimiter_);
    Score score;
    score.metric_fit = MetricFit(static_cast<uint8_t>(known_[k]), scope_);
    if (score.metric_fit < 0) return;
    if ((bound_ & (1u << kJobName)) && is_known_job_ != nullptr &&
        (*is_known_job_)(values_[kJobName])) {
      score.job_known = 1;
    }
    score.shape_misses = shape_misses_;

    if (readings_ > 0 && score.Key() < best_score_.Key()) return;
    if (readings_ == 0 || best_score_.Key() < score.Key()) {
      readings_ = 0;
      best_score_ = score;
    }
    if (readings_ < kKeptReadings) best_[readings_] = Reading{scope_, components_, values_, metric};
    ++readings_;
  }

  const std::string_view id_;
  const char delimiter_;
  const bool values_contain_delimiter_;
  const absl::FunctionRef<bool(std::string_view)>* const is_known_job_;
  absl::InlinedVector<size_t, 32> delims_;  // positions of the delimiter in id_
  bool use_reach_ = false;

  // Per scope format.
  FlinkScope scope_ = FlinkScope::kJobManager;
  const std::vector<ScopeParser::Component>* components_ = nullptr;
  absl::InlinedVector<int, 16> inner_;       // delimiters inside each literal
  absl::InlinedVector<int, 16> need_;        // delimiters components[i..] need at least
  absl::InlinedVector<uint64_t, 16> reach_;  // see ComputeReach

  // Search state.
  std::array<std::string_view, kVariableNames.size()> values_;
  uint16_t bound_ = 0;
  int shape_misses_ = 0;  // of the variables bound so far
  int steps_ = 0;
  absl::InlinedVector<int16_t, 32> known_;  // KnownScopes by metric start token, -1: not yet

  Score best_score_;
  int readings_ = 0;
  std::array<Reading, kKeptReadings> best_;
};

}  // namespace scope_format_internal

namespace {

// Task and operator formats are alike by default, and Flink sends a task's
// IO metrics and its head operator's under one identifier when the two
// share a name: such twin readings differ only in the scope and in
// task_name/task_id vs operator_name/operator_id.
bool AreTwins(const ScopeMatch& task, const ScopeMatch& op) {
  if (task.scope != FlinkScope::kTask || op.scope != FlinkScope::kOperator) return false;
  if (task.metric.data() != op.metric.data() || task.variables.size() != op.variables.size()) {
    return false;
  }
  for (size_t i = 0; i < task.variables.size(); ++i) {
    std::string_view a = task.variables[i].name;
    std::string_view b = op.variables[i].name;
    if (a == "task_name") a = "operator_name";
    if (a == "task_id") a = "operator_id";
    if (a != b || task.variables[i].value != op.variables[i].value) return false;
  }
  return true;
}

std::string Describe(const ScopeMatch& m) {
  std::string out = absl::StrCat(AsAbsl(FlinkScopeName(m.scope)), "{");
  for (const LabelView& v : m.variables) {
    absl::StrAppend(&out, AsAbsl(v.name), "='", AsAbsl(v.value), "' ");
  }
  absl::StrAppend(&out, "metric='", AsAbsl(m.metric), "'}");
  return out;
}

}  // namespace

std::string_view FlinkScopeName(FlinkScope scope) {
  switch (scope) {
    case FlinkScope::kJobManager:
      return "jobmanager";
    case FlinkScope::kJobManagerJob:
      return "jobmanager_job";
    case FlinkScope::kJobManagerOperator:
      return "jobmanager_job_operator";
    case FlinkScope::kTaskManager:
      return "taskmanager";
    case FlinkScope::kTaskManagerJob:
      return "taskmanager_job";
    case FlinkScope::kTask:
      return "taskmanager_job_task";
    case FlinkScope::kOperator:
      return "taskmanager_job_task_operator";
  }
  return "unknown";
}

std::string_view ScopeMatch::Variable(std::string_view name) const {
  for (const LabelView& v : variables) {
    if (v.name == name) return v.value;
  }
  return {};
}

absl::StatusOr<ScopeParser> ScopeParser::Create(const FlinkScopeFormats& formats) {
  if (formats.delimiter == ':') {
    return absl::InvalidArgumentError(
        "scope delimiter ':' cannot be read back: StatsD ends the name at ':'");
  }
  const std::string* raw[kFlinkScopeCount] = {
      &formats.jm,     &formats.jm_job, &formats.jm_operator, &formats.tm,
      &formats.tm_job, &formats.task,   &formats.operator_,
  };
  static constexpr std::string_view kOptionNames[kFlinkScopeCount] = {
      "jm", "jm-job", "jm-operator", "tm", "tm-job", "task", "operator",
  };
  ScopeParser parser;
  parser.delimiter_ = formats.delimiter;
  parser.values_contain_delimiter_ = formats.values_contain_delimiter;
  std::vector<std::string> split[kFlinkScopeCount];
  // Parents precede children in enum order, so one pass resolves '*'.
  for (int s = 0; s < kFlinkScopeCount; ++s) {
    std::vector<std::string> pieces = SplitFormat(*raw[s]);
    if (!pieces.empty() && pieces[0] == "*") {
      if (kParent[s] < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("metrics.scope.", AsAbsl(kOptionNames[s]), ": '*' needs a parent scope"));
      }
      std::vector<std::string> inherited = split[kParent[s]];
      inherited.insert(inherited.end(), pieces.begin() + 1, pieces.end());
      pieces = std::move(inherited);
    }
    if (pieces.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("metrics.scope.", AsAbsl(kOptionNames[s]), ": empty scope format"));
    }
    split[s] = pieces;
    for (const std::string& piece : pieces) {
      Component c;
      if (piece.size() >= 3 && piece.front() == '<' && piece.back() == '>') {
        const std::string_view name = std::string_view(piece).substr(1, piece.size() - 2);
        for (size_t v = 0; v < kVariableNames.size(); ++v) {
          if (kVariableNames[v] == name && (kAllowedVars[s] & (1u << v))) {
            c.variable = static_cast<int>(v);
          }
        }
      }
      if (c.variable < 0) c.literal = Filter(piece);
      parser.templates_[s].push_back(std::move(c));
    }
  }
  return parser;
}

absl::StatusOr<ScopeMatch> ScopeParser::Parse(std::string_view identifier) const {
  return ParseImpl(identifier, nullptr);
}

absl::StatusOr<ScopeMatch> ScopeParser::Parse(
    std::string_view identifier, absl::FunctionRef<bool(std::string_view)> is_known_job) const {
  return ParseImpl(identifier, &is_known_job);
}

absl::StatusOr<ScopeMatch> ScopeParser::ParseImpl(
    std::string_view identifier,
    const absl::FunctionRef<bool(std::string_view)>* is_known_job) const {
  scope_format_internal::Search search(identifier, delimiter_, values_contain_delimiter_,
                                       is_known_job);
  for (int s = 0; s < kFlinkScopeCount && !search.exhausted(); ++s) {
    search.Run(static_cast<FlinkScope>(s), templates_[s]);
  }
  if (search.exhausted()) {
    return absl::FailedPreconditionError(
        "ambiguous Flink identifier: too many readings to compare");
  }
  if (search.readings() == 0) {
    return absl::InvalidArgumentError("identifier fits no Flink scope format");
  }
  if (search.readings() == 1) return search.Best(0);
  const ScopeMatch best[2] = {search.Best(0), search.Best(1)};
  if (search.readings() == 2) {
    for (int i = 0; i < 2; ++i) {
      const ScopeMatch& task = best[i];
      const ScopeMatch& op = best[1 - i];
      if (!AreTwins(task, op)) continue;
      // Chained tasks are named "A -> B"; operator names are cut to 80
      // characters. Otherwise the operator reading loses nothing: the
      // task's counters are its operator's.
      const std::string_view name = task.Variable("task_name");
      const bool is_task = name.find(" -> ") != std::string_view::npos || CodePoints(name) > 80;
      return is_task ? task : op;
    }
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "ambiguous Flink identifier: ", search.readings(), " readings fit equally well, e.g. ",
      Describe(best[0]), " and ", Describe(best[1]),
      "; pass known job names or make the scope formats unambiguous"));
}

std::string ScopeParser::Format(FlinkScope scope, std::span<const LabelView> variables,
                                std::string_view metric) const {
  std::string out;
  for (const Component& c : templates_[static_cast<int>(scope)]) {
    if (c.variable < 0) {
      out += c.literal;
    } else {
      std::string_view value;
      for (const LabelView& v : variables) {
        if (v.name == kVariableNames[c.variable]) value = v.value;
      }
      out += value.empty() ? std::string("null") : Filter(value);
    }
    out += delimiter_;
  }
  out += Filter(metric);
  return out;
}

}  // namespace vitals::gateway
