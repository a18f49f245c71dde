#include "sim/layout.h"

#include <algorithm>
#include <string_view>

#include "sim/java_format.h"
#include "sim/sim_job.h"

namespace vitals::sim {
namespace {

bool IsPrometheusLabelValueChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
         c == '_';
}

// Text format 0.0.4 label value escaping (only reachable unfiltered).
void AppendEscapedLabelValue(std::string_view value, std::string* out) {
  for (char c : value) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '"') {
      out->append("\\\"");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

// StatsDReporter.filterCharacters.
void AppendStatsdComponent(std::string_view text, std::string* out) {
  for (char c : text) out->push_back(c == ':' ? '-' : c);
}

void AppendInfluxEscaped(std::string_view text, std::string* out) {
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '=') out->push_back('\\');
    out->push_back(c);
  }
}

std::string_view LabelValue(const std::vector<Label>& labels, std::string_view name) {
  for (const Label& label : labels) {
    if (label.name == name) return label.value;
  }
  return {};
}

class LayoutBuilder {
 public:
  LayoutBuilder(const FlinkCluster& cluster, std::span<const SimJob> jobs,
                JobStatusMetricSet status_metrics, bool latency_tracking, ClusterLayout* layout)
      : cluster_(cluster),
        jobs_(jobs),
        status_metrics_(status_metrics),
        latency_tracking_(latency_tracking),
        layout_(*layout) {}

  void Build() {
    layout_.groups.clear();
    layout_.members.clear();
    layout_.processes.assign(cluster_.processes.size(), {});
    const std::vector<MetricDef>& catalog = CatalogFor(cluster_.version);
    for (size_t p = 0; p < cluster_.processes.size(); ++p) {
      size_t first_group = layout_.groups.size();
      AddProcessGroup(static_cast<int>(p));
      for (int j : cluster_.jobs) {
        if (!jobs_[j].closed) AddJobGroups(jobs_[j], static_cast<int>(p));
      }
      size_t last_group = layout_.groups.size();
      ProcessLayout& process = layout_.processes[p];
      for (const MetricDef& def : catalog) {
        if (!Registered(def)) continue;
        Family family{.def = &def, .begin = static_cast<uint32_t>(layout_.members.size())};
        for (size_t g = first_group; g < last_group; ++g) {
          if (Carries(layout_.groups[g], def)) layout_.members.push_back(static_cast<uint32_t>(g));
        }
        family.end = static_cast<uint32_t>(layout_.members.size());
        if (family.end > family.begin) process.families.push_back(family);
      }
    }
  }

 private:
  // JobStatusMetrics registers its gauges as metrics.job.status.enable says.
  bool Registered(const MetricDef& def) const {
    switch (def.field) {
      case Field::kStatusState:
        return status_metrics_.Has(JobStatusMetric::kState);
      case Field::kStatusTime:
        return status_metrics_.Has(JobStatusMetric::kCurrentTime);
      case Field::kStatusTimeTotal:
        return status_metrics_.Has(JobStatusMetric::kTotalTime);
      default:
        return true;
    }
  }

  static bool Carries(const Group& group, const MetricDef& def) {
    if (group.kind != def.group) return false;
    return !def.source_only || group.is_source;
  }

  Group& NewGroup(GroupKind kind, int process, int job) {
    Group& group = layout_.groups.emplace_back();
    group.kind = kind;
    group.process = static_cast<int16_t>(process);
    group.job = job;
    return group;
  }

  void AddProcessGroup(int p) {
    const SimProcess& process = cluster_.processes[p];
    if (process.kind == ProcessKind::kJobManager) {
      NewGroup(GroupKind::kJobManager, p, -1).labels = {{"host", process.host}};
    } else {
      NewGroup(GroupKind::kTaskManager, p, -1).labels = {{"host", process.host},
                                                         {"tm_id", process.tm_id}};
    }
  }

  void AddJobGroups(const SimJob& job, int p) {
    const SimProcess& process = cluster_.processes[p];
    if (process.kind == ProcessKind::kJobManager) {
      NewGroup(GroupKind::kJobManagerJob, p, job.index).labels = {
          {"host", process.host}, {"job_id", job.id}, {"job_name", job.name}};
      return;
    }
    if (job.status != JobStatus::kRunning) return;  // tasks are down
    const int parallelism = job.parallelism();
    const std::vector<Label> tm_job = {{"host", process.host},
                                       {"tm_id", process.tm_id},
                                       {"job_id", job.id},
                                       {"job_name", job.name}};
    for (size_t t = 0; t < job.tasks.size(); ++t) {
      const SimTask& task = job.tasks[t];
      for (int s = 0; s < parallelism; ++s) {
        if (job.subtask_process[s] != p) continue;
        std::vector<Label> task_labels = tm_job;
        task_labels.push_back({"task_id", task.id});
        task_labels.push_back({"task_name", task.name});
        task_labels.push_back({"task_attempt_id", task.attempt_ids[s]});
        task_labels.push_back({"task_attempt_num", std::to_string(job.attempt_number)});
        task_labels.push_back({"subtask_index", std::to_string(s)});
        Group& task_group = NewGroup(GroupKind::kTask, p, job.index);
        task_group.task = static_cast<int16_t>(t);
        task_group.subtask = static_cast<int16_t>(s);
        task_group.labels = task_labels;
        for (int o = task.first_operator; o < task.first_operator + task.num_operators; ++o) {
          const SimOperator& op = job.operators[o];
          std::vector<Label> op_labels = task_labels;
          op_labels.push_back({"operator_id", op.id});
          op_labels.push_back({"operator_name", op.name});
          Group& op_group = NewGroup(GroupKind::kOperator, p, job.index);
          op_group.is_source = op.is_source;
          op_group.task = static_cast<int16_t>(t);
          op_group.op = static_cast<int16_t>(o);
          op_group.subtask = static_cast<int16_t>(s);
          op_group.labels = op_labels;
          if (op.is_source) {
            Group& partition = NewGroup(GroupKind::kSourcePartition, p, job.index);
            partition.is_source = true;
            partition.task = static_cast<int16_t>(t);
            partition.op = static_cast<int16_t>(o);
            partition.subtask = static_cast<int16_t>(s);
            partition.labels = std::move(op_labels);
            partition.labels.push_back({"topic", job.topic});
            partition.labels.push_back({"partition", std::to_string(s)});
            const bool reader = Traits(job.version).kafka_source_reader;
            partition.key_value_path = std::string(reader ? "KafkaSourceReader" : "KafkaConsumer") +
                                       ".topic." + job.topic + ".partition." + std::to_string(s);
          } else if (latency_tracking_) {
            // Latency markers from the source, as the receiving operator
            // subtask's TaskManager reports them (granularity "operator").
            Group& latency = NewGroup(GroupKind::kLatency, p, job.index);
            latency.task = static_cast<int16_t>(t);
            latency.op = static_cast<int16_t>(o);
            latency.subtask = static_cast<int16_t>(s);
            latency.labels = tm_job;
            const std::string& source_id = job.operators[0].id;
            latency.labels.push_back({"source_id", source_id});
            latency.labels.push_back({"operator_id", op.id});
            latency.labels.push_back({"operator_subtask_index", std::to_string(s)});
            latency.key_value_path = "latency.source_id." + source_id + ".operator_id." + op.id +
                                     ".operator_subtask_index." + std::to_string(s);
          }
        }
      }
    }
  }

  const FlinkCluster& cluster_;
  std::span<const SimJob> jobs_;
  JobStatusMetricSet status_metrics_;
  bool latency_tracking_;
  ClusterLayout& layout_;
};

}  // namespace

const std::string& Group::PrometheusLabels(bool filter) const {
  if (prometheus_filter_ == static_cast<int>(filter)) return prometheus_labels_;
  prometheus_labels_.clear();
  for (const Label& label : labels) {
    AppendPrometheusFiltered(label.name, &prometheus_labels_);
    prometheus_labels_.append("=\"");
    if (filter) {
      for (char c : label.value) {
        prometheus_labels_.push_back(IsPrometheusLabelValueChar(c) ? c : '_');
      }
    } else {
      AppendEscapedLabelValue(label.value, &prometheus_labels_);
    }
    prometheus_labels_.append("\",");
  }
  prometheus_filter_ = static_cast<int>(filter);
  return prometheus_labels_;
}

const std::string& Group::StatsdPrefix() const {
  if (!statsd_prefix_.empty()) return statsd_prefix_;
  std::string& out = statsd_prefix_;
  auto component = [&](std::string_view text) {
    AppendStatsdComponent(text, &out);
    out.push_back('.');
  };
  // metrics.scope.jm / jm-job / tm / tm-job / task / operator defaults.
  component(LabelValue(labels, "host"));
  switch (kind) {
    case GroupKind::kJobManager:
      component("jobmanager");
      break;
    case GroupKind::kJobManagerJob:
      component("jobmanager");
      component(LabelValue(labels, "job_name"));
      break;
    case GroupKind::kTaskManager:
      component("taskmanager");
      component(LabelValue(labels, "tm_id"));
      break;
    case GroupKind::kLatency:
      component("taskmanager");
      component(LabelValue(labels, "tm_id"));
      component(LabelValue(labels, "job_name"));
      break;
    case GroupKind::kTask:
      component("taskmanager");
      component(LabelValue(labels, "tm_id"));
      component(LabelValue(labels, "job_name"));
      component(LabelValue(labels, "task_name"));
      component(LabelValue(labels, "subtask_index"));
      break;
    case GroupKind::kOperator:
    case GroupKind::kSourcePartition:
      component("taskmanager");
      component(LabelValue(labels, "tm_id"));
      component(LabelValue(labels, "job_name"));
      component(LabelValue(labels, "operator_name"));
      component(LabelValue(labels, "subtask_index"));
      break;
  }
  if (!key_value_path.empty()) component(key_value_path);
  return statsd_prefix_;
}

const std::string& Group::InfluxTags() const {
  if (!influx_tags_.empty() || labels.empty()) return influx_tags_;
  std::vector<const Label*> sorted;
  sorted.reserve(labels.size());
  for (const Label& label : labels) sorted.push_back(&label);
  std::sort(sorted.begin(), sorted.end(),
            [](const Label* a, const Label* b) { return a->name < b->name; });
  for (const Label* label : sorted) {
    influx_tags_.push_back(',');
    AppendInfluxEscaped(label->name, &influx_tags_);
    influx_tags_.push_back('=');
    AppendInfluxEscaped(label->value, &influx_tags_);
  }
  return influx_tags_;
}

void BuildLayout(const FlinkCluster& cluster, std::span<const SimJob> jobs,
                 JobStatusMetricSet status_metrics, bool latency_tracking, ClusterLayout* layout) {
  LayoutBuilder(cluster, jobs, status_metrics, latency_tracking, layout).Build();
}

}  // namespace vitals::sim
