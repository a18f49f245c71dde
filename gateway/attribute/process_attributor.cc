#include "gateway/attribute/process_attributor.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/base/prom_chars.h"
#include "common/base/strings.h"

namespace vitals::gateway {
namespace {

std::string_view LabelOf(const FlinkSample& sample, std::string_view name) {
  for (const LabelView& label : sample.labels) {
    if (label.name == name) return label.value;
  }
  return {};
}

bool NamesNoJob(const FlinkSample& sample) {
  return sample.job_name.empty() && sample.job_id.empty();
}

// '\x1f' (unit separator) cannot occur in a label value filtered for
// Prometheus, and a sender name never holds it.
void AssignProcessKey(std::string_view source, std::string_view host, std::string_view tm_id,
                      std::string* out) {
  out->clear();
  absl::StrAppend(out, AsAbsl(source), "\x1f", AsAbsl(host), "\x1f", AsAbsl(tm_id));
}

}  // namespace

std::string ProcessKeyOf(const FlinkSample& sample) {
  std::string key;
  AssignProcessKey(sample.source, LabelOf(sample, "host"), LabelOf(sample, "tm_id"), &key);
  return key;
}

void ProcessAttributor::Begin(std::string_view sender_job_name) {
  sender_job_name_.assign(sender_job_name);
  evidence_.clear();
  noted_.clear();
  held_used_ = 0;
}

void ProcessAttributor::OnFlinkSample(const FlinkSample& sample) {
  if (NamesNoJob(sample)) {
    Hold(sample);
    return;
  }
  Note(sample);
  next_->OnFlinkSample(sample);
}

void ProcessAttributor::Note(const FlinkSample& sample) {
  // Samples of one process and job come in runs: most cost a comparison.
  const std::string_view host = LabelOf(sample, "host");
  const std::string_view tm_id = LabelOf(sample, "tm_id");
  if (!evidence_.empty() && sample.job_name == last_job_name_ && sample.job_id == last_job_id_ &&
      sample.source == last_source_ && host == last_host_ && tm_id == last_tm_id_) {
    return;
  }
  last_source_.assign(sample.source);
  last_job_id_.assign(sample.job_id);
  last_job_name_.assign(sample.job_name);
  last_host_.assign(host);
  last_tm_id_.assign(tm_id);
  JobEvidence e{std::string(), JobRef{std::string(sample.job_id), std::string(sample.job_name)}};
  AssignProcessKey(sample.source, host, tm_id, &e.process);
  // A hash lookup, not a scan of the batch's evidence: one push group may
  // name thousands of jobs in turn (a flood), and a scan per sample would
  // make its replay quadratic.
  note_key_.clear();
  absl::StrAppend(&note_key_, e.process.size(), ":", e.process, e.job.job_id.size(), ":",
                  e.job.job_id, e.job.job_name);
  if (noted_.insert(note_key_).second) evidence_.push_back(std::move(e));
}

void ProcessAttributor::Hold(const FlinkSample& sample) {
  if (held_used_ == held_.size()) held_.emplace_back();
  Held& h = held_[held_used_++];
  // Into the slot's own buffer: no allocation once the slot has been used.
  AssignProcessKey(sample.source, LabelOf(sample, "host"), LabelOf(sample, "tm_id"), &h.process);
  h.scope = sample.scope;
  h.metric.assign(sample.metric);
  h.labels.resize(sample.labels.size());
  for (size_t i = 0; i < sample.labels.size(); ++i) {
    h.labels[i].first.assign(sample.labels[i].name);
    h.labels[i].second.assign(sample.labels[i].value);
  }
  h.value = sample.value;
  h.type = sample.type;
  h.quantile.assign(sample.quantile);
  h.timestamp_ms = sample.timestamp_ms;
  h.source.assign(sample.source);
  h.cluster.assign(sample.cluster);
}

void ProcessAttributor::Emit(const Held& held, const JobRef& job) {
  labels_.clear();
  for (const auto& [name, value] : held.labels) labels_.push_back({name, value});
  FlinkSample out;
  out.scope = held.scope;
  out.metric = held.metric;
  out.job_id = job.job_id;
  out.job_name = job.job_name;
  out.labels = labels_;
  out.value = held.value;
  out.type = held.type;
  out.quantile = held.quantile;
  out.timestamp_ms = held.timestamp_ms;
  out.source = held.source;
  out.cluster = held.cluster;
  next_->OnFlinkSample(out);
}

void ProcessAttributor::Finish(int64_t now_ms) {
  table_->Record(evidence_, now_ms);
  const ProcessJobTable::Options options = table_->options();
  AttributionCounts counts;
  // Held samples of one process are mostly adjacent: one lookup per run.
  size_t begin = 0;
  while (begin < held_used_) {
    const std::string& process = held_[begin].process;
    size_t end = begin + 1;
    while (end < held_used_ && held_[end].process == process) ++end;
    table_->JobsOf(process, now_ms, &jobs_);
    const size_t samples = end - begin;
    if (jobs_.empty()) {
      table_->NoteUnattributed(process, now_ms);
      if (options.sender_name_as_job && !sender_job_name_.empty()) {
        // As the Prometheus path writes names: filtered.
        JobRef sender{std::string(), sender_job_name_};
        if (!IsLabelValueSafe(sender.job_name)) FilterLabelValue(sender.job_name);
        for (size_t i = begin; i < end; ++i) Emit(held_[i], sender);
        counts.sender_named += samples;
      } else {
        counts.unattributed += samples;
      }
    } else {
      // Job by job: each job's series then repeat their order every
      // interval, which the aggregator's lookups rely on.
      for (const JobRef& job : jobs_) {
        for (size_t i = begin; i < end; ++i) Emit(held_[i], job);
      }
      counts.attributed += samples * jobs_.size();
      counts.shared_copies += samples * (jobs_.size() - 1);
    }
    begin = end;
  }
  table_->Count(counts);
  held_used_ = 0;
  evidence_.clear();
  noted_.clear();
}

}  // namespace vitals::gateway
