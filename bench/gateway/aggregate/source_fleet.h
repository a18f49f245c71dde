#pragma once

// The benchmarks' Flink fleet: every source series of jobs of 5 operators ×
// parallelism 20, as the aggregator receives them.

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/aggregate/aggregator.h"

namespace vitals::gateway::bench {

// A Flink fleet's source series with the labels Flink's PrometheusReporter
// attaches (10 per operator series), held so that the views stay valid.
class Fleet {
 public:
  explicit Fleet(int jobs, int operators = 5, int parallelism = 20) {
    for (int j = 0; j < jobs; ++j) {
      const std::string& job = Keep("streaming-job-" + std::to_string(j));
      const std::string& job_id = Keep(Hex(j, 32));
      for (int subtask = 0; subtask < parallelism; ++subtask) {
        const std::string& host =
            Keep("10.0." + std::to_string(j % 250) + "." + std::to_string(subtask));
        const std::string& tm =
            Keep("flink-taskmanager-" + std::to_string(j) + "-" + std::to_string(subtask / 4));
        const std::string& index = Keep(std::to_string(subtask));
        const std::string& source = Keep("push/" + tm + "/" + Hex(subtask, 32));
        for (int op = 0; op <= operators; ++op) {
          const bool task = op == operators;  // one task-scope group per subtask
          const std::string& name =
              Keep(task ? "Source: Kafka -> Map" : "Operator " + std::to_string(op));
          auto& labels = label_sets_.emplace_back();
          labels = {{"host", host},
                    {"operator_id", Keep(Hex(op * 977 + j, 32))},
                    {"operator_name", name},
                    {"subtask_index", index},
                    {"task_attempt_id", Keep(Hex(subtask * 31 + j, 32))},
                    {"task_attempt_num", "0"},
                    {"task_id", Keep(Hex(j * 7, 32))},
                    {"task_name", "Source: Kafka -> Map"},
                    {"tm_id", tm}};
          if (task) labels.erase(labels.begin() + 1, labels.begin() + 3);
          const auto metrics =
              task ? std::vector<std::string_view>{"busyTimeMsPerSecond", "idleTimeMsPerSecond",
                                                   "backPressuredTimeMsPerSecond"}
                   : std::vector<std::string_view>{
                         "numRecordsIn", "numRecordsOut", "numRecordsInPerSecond",
                         "numRecordsOutPerSecond", "currentEmitEventTimeLag"};
          for (std::string_view metric : metrics) {
            FlinkSample s;
            s.scope =
                task ? v1::SCOPE_TASKMANAGER_JOB_TASK : v1::SCOPE_TASKMANAGER_JOB_TASK_OPERATOR;
            s.metric = metric;
            s.job_id = job_id;
            s.job_name = job;
            s.labels = labels;
            s.source = source;
            samples.push_back(s);
          }
        }
      }
    }
  }

  std::vector<FlinkSample> samples;

 private:
  const std::string& Keep(std::string s) { return strings_.emplace_back(std::move(s)); }
  static std::string Hex(int seed, int length) {
    std::string out;
    uint64_t x = 0x9e3779b97f4a7c15ull * (seed + 1);
    for (int i = 0; i < length; ++i) {
      out.push_back("0123456789abcdef"[x & 15]);
      x = x * 6364136223846793005ull + 1442695040888963407ull;
    }
    return out;
  }

  std::deque<std::string> strings_;
  std::deque<std::vector<LabelView>> label_sets_;
};

}  // namespace vitals::gateway::bench
