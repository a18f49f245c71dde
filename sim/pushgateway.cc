#include "sim/pushgateway.h"

#include "sim/prometheus_text.h"

namespace vitals::sim {
namespace {

// java.net.URLEncoder with UTF-8.
void AppendUrlEncoded(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
        c == '-' || c == '*' || c == '_') {
      out->push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out->push_back('+');
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xf]);
    }
  }
}

// java.util.Base64.getUrlEncoder(), with padding.
void AppendBase64Url(std::string_view text, std::string* out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t i = 0;
  for (; i + 3 <= text.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(text[i]) << 16) |
                 (static_cast<unsigned char>(text[i + 1]) << 8) |
                 static_cast<unsigned char>(text[i + 2]);
    out->push_back(kAlphabet[(v >> 18) & 63]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back(kAlphabet[v & 63]);
  }
  if (i + 1 == text.size()) {
    uint32_t v = static_cast<unsigned char>(text[i]) << 16;
    out->push_back(kAlphabet[(v >> 18) & 63]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->append("==");
  } else if (i + 2 == text.size()) {
    uint32_t v = (static_cast<unsigned char>(text[i]) << 16) |
                 (static_cast<unsigned char>(text[i + 1]) << 8);
    out->push_back(kAlphabet[(v >> 18) & 63]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back('=');
  }
}

void AppendGroupingPair(std::string_view label, std::string_view value, std::string* out) {
  out->push_back('/');
  out->append(label);
  if (value.empty() || value.find('/') != std::string_view::npos) {
    out->append("@base64/");
    if (value.empty()) {
      out->push_back('=');
    } else {
      AppendBase64Url(value, out);
    }
    return;
  }
  out->push_back('/');
  AppendUrlEncoded(value, out);
}

// PrometheusPushGatewayReporterFactory: the configured jobName, plus
// `new AbstractID()` when randomJobNameSuffix.
void AppendJobName(const ReporterSpec& reporter, std::string_view flink_job_name,
                   std::string_view suffix, std::string* name) {
  std::string_view configured = reporter.push_job_name;
  for (size_t at = configured.find(kJobNamePlaceholder); at != std::string_view::npos;
       at = configured.find(kJobNamePlaceholder)) {
    name->append(configured.substr(0, at));
    name->append(flink_job_name);
    configured.remove_prefix(at + kJobNamePlaceholder.size());
  }
  name->append(configured);
  if (reporter.random_job_name_suffix) name->append(suffix);
}

}  // namespace

void AppendPushPath(const ReporterSpec& reporter, std::string_view flink_job_name,
                    std::string_view cluster, std::string_view team, std::string_view suffix,
                    std::string* out) {
  std::string job;
  AppendJobName(reporter, flink_job_name, suffix, &job);
  out->append("/metrics");
  AppendGroupingPair("job", job, out);
  for (const auto& [label, value] : reporter.grouping_key) AppendGroupingPair(label, value, out);
  if (!reporter.cluster_grouping_label.empty()) {
    AppendGroupingPair(reporter.cluster_grouping_label, cluster, out);
  }
  if (!reporter.team_grouping_label.empty() && !team.empty()) {
    AppendGroupingPair(reporter.team_grouping_label, team, out);
  }
}

RenderStats RenderPushes(const Fleet& fleet, std::vector<Push>* out, int only_node) {
  RenderStats stats;
  const ReporterSpec& reporter = fleet.spec().reporter;
  size_t used = 0;
  for (const FlinkCluster& cluster : fleet.flink_clusters()) {
    const SimJob& first = fleet.jobs()[cluster.jobs.front()];
    for (size_t p = 0; p < cluster.processes.size(); ++p) {
      const SimProcess& process = cluster.processes[p];
      if (only_node >= 0 && process.node != only_node) continue;
      Push& push = ReuseSlot(out, used++);
      push.node = fleet.nodes()[process.node];
      push.method = "PUT";
      push.path.clear();
      AppendPushPath(reporter, first.name, cluster.cluster, TeamOf(fleet.spec(), first.index),
                     process.push_suffix, &push.path);
      push.body.clear();
      stats.samples += AppendPrometheusText(fleet, cluster.index, static_cast<int>(p), &push.body);
      push.content_type = kPrometheusTextContentType;
      stats.bytes += push.body.size();
    }
  }
  out->resize(used);
  stats.payloads = used;
  return stats;
}

void AppendPushDeletes(const Fleet& fleet, std::span<const RetiredProcess> retired,
                       std::vector<Push>* out) {
  for (const RetiredProcess& r : retired) {
    Push& push = out->emplace_back();
    push.node = fleet.nodes()[r.process.node];
    push.method = "DELETE";
    AppendPushPath(fleet.spec().reporter, r.job_name, r.cluster, TeamOf(fleet.spec(), r.job),
                   r.process.push_suffix, &push.path);
  }
}

}  // namespace vitals::sim
