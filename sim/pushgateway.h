#pragma once

// PrometheusPushGatewayReporter requests: one PUT per Flink process per
// report interval to /metrics/job/<jobName><randomJobNameSuffix>{/<k>/<v>},
// the body being the process's Prometheus text (its own metrics and those
// of every job it hosts); a DELETE of the same path when a process shuts
// down gracefully (deleteOnShutdown). With Flink's defaults (jobName "",
// randomJobNameSuffix true) the group's job is 32 hex characters alone.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/fleet.h"
#include "sim/render_stats.h"

namespace vitals::sim {

struct Push {
  // Node whose gateway receives it.
  std::string node;
  // "PUT", or "DELETE" (empty body) for a retired process.
  std::string method;
  std::string path;
  std::string body;
  std::string content_type;
};

// The group path of one process, as the Prometheus client's PushGateway
// builds it: the reporter's jobName (`{job_name}` replaced by
// `flink_job_name`) plus `suffix` if randomJobNameSuffix, then the grouping
// key; URL-encoded, `<k>@base64/<v>` for values containing `/` or empty.
void AppendPushPath(const ReporterSpec& reporter, std::string_view flink_job_name,
                    std::string_view cluster, std::string_view team, std::string_view suffix,
                    std::string* out);

// Fills `out` with one PUT per physical process (reusing its elements),
// Flink cluster by cluster; with `only_node` >= 0 only the processes placed
// on that node.
RenderStats RenderPushes(const Fleet& fleet, std::vector<Push>* out, int only_node = -1);

// Appends one DELETE per retired process (Fleet::TakeRetired).
void AppendPushDeletes(const Fleet& fleet, std::span<const RetiredProcess> retired,
                       std::vector<Push>* out);

}  // namespace vitals::sim
