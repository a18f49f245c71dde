#pragma once

// Reads Flink's identifier-based metric names (StatsD, Graphite, Slf4j
// reporters) back into scope, variables and metric. Flink builds them as
// the scope format's components, variables substituted, joined by the
// delimiter, then the delimiter and the metric name; only ':' is replaced
// (by '-'). Values may therefore contain the delimiter, so one identifier
// can have several readings: ScopeParser picks the reading that fits best
// and reports an error when several fit equally well. The rules are in
// docs/statsd.md.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "gateway/receivers/sample.h"

namespace vitals::gateway {

// Flink's component metric groups, one per `metrics.scope.*` option.
enum class FlinkScope : uint8_t {
  kJobManager,          // metrics.scope.jm
  kJobManagerJob,       // metrics.scope.jm-job
  kJobManagerOperator,  // metrics.scope.jm-operator (Flink 1.16+, coordinators)
  kTaskManager,         // metrics.scope.tm
  kTaskManagerJob,      // metrics.scope.tm-job
  kTask,                // metrics.scope.task
  kOperator,            // metrics.scope.operator
};
inline constexpr int kFlinkScopeCount = 7;

// The logical scope, as Flink's tag-based reporters spell it:
// "jobmanager", "jobmanager_job", "jobmanager_job_operator", "taskmanager",
// "taskmanager_job", "taskmanager_job_task", "taskmanager_job_task_operator".
std::string_view FlinkScopeName(FlinkScope scope);

// The configuration Flink was started with; defaults are Flink's.
struct FlinkScopeFormats {
  std::string jm = "<host>.jobmanager";
  std::string jm_job = "<host>.jobmanager.<job_name>";
  std::string jm_operator = "<host>.jobmanager.<job_name>.<operator_name>";
  std::string tm = "<host>.taskmanager.<tm_id>";
  std::string tm_job = "<host>.taskmanager.<tm_id>.<job_name>";
  std::string task = "<host>.taskmanager.<tm_id>.<job_name>.<task_name>.<subtask_index>";
  std::string operator_ = "<host>.taskmanager.<tm_id>.<job_name>.<operator_name>.<subtask_index>";
  // metrics.scope.delimiter (Flink uses its first character).
  char delimiter = '.';
  // Whether hosts, ids and names may contain the delimiter (they do for
  // '.'). Set false when the platform guarantees they cannot: each
  // variable is then exactly one delimiter-separated token.
  bool values_contain_delimiter = true;
};

struct ScopeMatch {
  FlinkScope scope = FlinkScope::kJobManager;
  // Each variable of the format once, in format order, without brackets
  // ("host", "tm_id", "job_name", "subtask_index", …). Views into the
  // identifier.
  absl::InlinedVector<LabelView, 8> variables;
  // The rest of the identifier, user groups included, exactly as sent:
  // "numRecordsInPerSecond.rate", "Status.JVM.CPU.Load",
  // "KafkaSourceReader.KafkaConsumer.records-lag-max".
  std::string_view metric;

  // The variable's value, or empty when the format does not have it.
  std::string_view Variable(std::string_view name) const;
};

namespace scope_format_internal {
class Search;
}  // namespace scope_format_internal

class ScopeParser {
 public:
  // InvalidArgument for a format Flink itself would refuse ('*' on jm or
  // tm) or a ':' delimiter.
  static absl::StatusOr<ScopeParser> Create(const FlinkScopeFormats& formats = {});

  // InvalidArgument when no format fits; FailedPrecondition when several
  // readings fit equally well (the message shows two; the fix is a Flink
  // setting or known job names, see docs/statsd.md).
  absl::StatusOr<ScopeMatch> Parse(std::string_view identifier) const;
  // Same, preferring readings whose job_name `is_known_job` accepts (names
  // as they appear in identifiers, ':' already replaced by '-').
  absl::StatusOr<ScopeMatch> Parse(std::string_view identifier,
                                   absl::FunctionRef<bool(std::string_view)> is_known_job) const;

  // What Flink would send for these values: the inverse of Parse, for
  // tests and the fleet simulator. Variables the format lacks are ignored;
  // those it has but `variables` lacks render as Flink's "null".
  std::string Format(FlinkScope scope, std::span<const LabelView> variables,
                     std::string_view metric) const;

 private:
  friend class scope_format_internal::Search;

  // One component of a split format: a literal (already filtered as Flink
  // filters it) or a variable (index into the variable names).
  struct Component {
    std::string literal;
    int variable = -1;
  };

  ScopeParser() = default;
  absl::StatusOr<ScopeMatch> ParseImpl(
      std::string_view identifier,
      const absl::FunctionRef<bool(std::string_view)>* is_known_job) const;

  char delimiter_ = '.';
  bool values_contain_delimiter_ = true;
  std::vector<Component> templates_[kFlinkScopeCount];
};

}  // namespace vitals::gateway
