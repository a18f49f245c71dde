// Throughput of the text parsers on what Flink's PrometheusReporter serves:
// HELP/TYPE per family, task- and operator-scope gauges with 9-11 labels
// each (trailing comma included), Java doubles, NaN, and latency summaries.
// Reports bytes/s and samples/s (items).

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "gateway/receivers/promtext/parser.h"

namespace vitals::gateway {
namespace {

// A consumer that reads every field it is given, as the normalizer will.
class ReadingSink : public SampleSink {
 public:
  void OnSample(const SampleView& s) override {
    ++samples;
    bytes += s.name.size() + s.family.size();
    for (const LabelView& l : s.labels) bytes += l.name.size() + l.value.size();
    sum += s.value;
  }
  size_t samples = 0;
  size_t bytes = 0;
  double sum = 0;
};

std::string Hex(uint64_t seed, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < digits; ++i) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    out.push_back(kHex[(seed >> 59) & 15]);
  }
  return out;
}

// Java's Double.toString shapes: "1234.0", "5.5132808E7", "0.25", "NaN".
std::string JavaDouble(uint64_t i) {
  switch (i % 6) {
    case 0:
      return std::to_string(i * 37 % 100000) + ".0";
    case 1:
      return "5.5132808E7";
    case 2:
      return "0." + std::to_string(i % 97 + 1);
    case 3:
      return std::to_string(i % 1000) + "." + std::to_string(i * 7919 % 1000000);
    case 4:
      return i % 12 == 4 ? "NaN" : "1.6989795843E12";
    default:
      return "-9.223372036854776E18";
  }
}

struct FlinkBody {
  std::string text;
  size_t samples = 0;
};

struct Series {
  std::string labels;  // without braces or trailing comma
};

// One TaskManager's endpoint: `jobs` jobs of 4 tasks x 3 operators x 8
// subtasks, each family written once (HELP, TYPE, then all its series).
// `open_metrics` drops the trailing commas and ends with # EOF.
FlinkBody MakeFlinkBody(int jobs, bool open_metrics) {
  static const char* const kTaskMetrics[] = {
      "busyTimeMsPerSecond",
      "backPressuredTimeMsPerSecond",
      "idleTimeMsPerSecond",
      "numRecordsIn",
      "numRecordsOut",
      "numRecordsInPerSecond",
      "numBytesOutPerSecond",
      "Shuffle_Netty_Output_Buffers_outPoolUsage",
      "Shuffle_Netty_Input_Buffers_inPoolUsage",
      "checkpointStartDelayNanos",
  };
  static const char* const kOperatorMetrics[] = {
      "numRecordsIn",
      "numRecordsOut",
      "numRecordsInPerSecond",
      "numRecordsOutPerSecond",
      "currentInputWatermark",
      "currentOutputWatermark",
      "KafkaSourceReader_KafkaConsumer_records_lag_max",
      "pendingRecords",
  };
  const std::string host = "flink-taskmanager-7d9f8c6b5-x2x4k";
  std::vector<std::string> task_series, operator_series;
  for (int job = 0; job < jobs; ++job) {
    const std::string job_labels =
        absl::StrCat("job_id=\"", Hex(job + 1, 32), "\",job_name=\"orders_enrichment_", job,
                     "\",host=\"", host, "\"");
    for (int task = 0; task < 4; ++task) {
      for (int subtask = 0; subtask < 8; ++subtask) {
        const std::string labels = absl::StrCat(
            job_labels, ",tm_id=\"", host, ":6122-", Hex(subtask, 6), "\",task_id=\"",
            Hex(job * 100 + task, 32), "\",task_name=\"Source:_KafkaSource____Map____Filter_", task,
            "\",task_attempt_id=\"", Hex(subtask + 7, 32),
            "\",task_attempt_num=\"0\",subtask_index=\"", subtask, "\"");
        task_series.push_back(labels);
        for (int op = 0; op < 3; ++op) {
          operator_series.push_back(absl::StrCat(labels, ",operator_id=\"", Hex(op + 31 * task, 32),
                                                 "\",operator_name=\"Map_", op, "\""));
        }
      }
    }
  }
  const std::string comma = open_metrics ? "" : ",";
  FlinkBody body;
  uint64_t n = 0;
  auto family = [&](const std::string& name, const char* metric, const char* scope,
                    const char* type) {
    absl::StrAppend(&body.text, "# HELP ", name, " ", metric, " (scope: ", scope, ")\n");
    absl::StrAppend(&body.text, "# TYPE ", name, " ", type, "\n");
  };
  for (const char* metric : kTaskMetrics) {
    const std::string name = std::string("flink_taskmanager_job_task_") + metric;
    family(name, metric, "taskmanager_job_task", "gauge");
    for (const std::string& labels : task_series) {
      absl::StrAppend(&body.text, name, "{", labels, comma, "} ", JavaDouble(n++), "\n");
      ++body.samples;
    }
  }
  for (const char* metric : kOperatorMetrics) {
    const std::string name = std::string("flink_taskmanager_job_task_operator_") + metric;
    family(name, metric, "taskmanager_job_task_operator", "gauge");
    for (const std::string& labels : operator_series) {
      absl::StrAppend(&body.text, name, "{", labels, comma, "} ", JavaDouble(n++), "\n");
      ++body.samples;
    }
  }
  // A user histogram: PrometheusReporter writes it as a summary.
  const std::string name = "flink_taskmanager_job_task_operator_processingTimeMs";
  family(name, "processingTimeMs", "taskmanager_job_task_operator", "summary");
  for (const std::string& labels : operator_series) {
    absl::StrAppend(&body.text, name, "_count{", labels, comma, "} 1024.0\n");
    for (const char* q : {"0.5", "0.75", "0.95", "0.98", "0.99", "0.999"}) {
      absl::StrAppend(&body.text, name, "{", labels, ",quantile=\"", q, "\"", comma, "} ",
                      n++ % 5000, ".25\n");
    }
    body.samples += 7;
  }
  if (open_metrics) body.text += "# EOF\n";
  return body;
}

// Enough jobs on one TaskManager for a body of about `bytes`.
FlinkBody MakeFlinkBodyOfSize(size_t bytes, bool open_metrics) {
  const size_t one_job = MakeFlinkBody(1, open_metrics).text.size();
  return MakeFlinkBody(static_cast<int>((bytes + one_job - 1) / one_job), open_metrics);
}

void Run(benchmark::State& state, TextFormat format, const FlinkBody& body) {
  PromTextParser parser(format);
  for (auto _ : state) {
    ReadingSink sink;
    const absl::Status status = parser.Parse(body.text, sink);
    if (!status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(sink.sum);
    benchmark::DoNotOptimize(sink.bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.text.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * body.samples));
  state.counters["body_bytes"] = static_cast<double>(body.text.size());
}

void BM_Text004_FlinkReporter(benchmark::State& state) {
  static const FlinkBody body = MakeFlinkBodyOfSize(4 << 20, false);
  Run(state, TextFormat::kPrometheus004, body);
}
BENCHMARK(BM_Text004_FlinkReporter)->Unit(benchmark::kMillisecond);

// TaskManager-scope JVM gauges: two labels, so per-sample costs dominate.
FlinkBody MakeShortLineBody(size_t bytes) {
  static const char* const kMetrics[] = {
      "Status_JVM_CPU_Load",         "Status_JVM_CPU_Time",
      "Status_JVM_Memory_Heap_Used", "Status_JVM_Memory_Heap_Committed",
      "Status_JVM_Threads_Count",    "Status_JVM_GarbageCollector_G1_Old_Generation_Time",
  };
  FlinkBody body;
  for (int tm = 0; body.text.size() < bytes; ++tm) {
    for (const char* metric : kMetrics) {
      const std::string name = absl::StrCat("flink_taskmanager_", metric, tm);
      absl::StrAppend(&body.text, "# HELP ", name, " ", metric, " (scope: taskmanager)\n# TYPE ",
                      name, " gauge\n");
      for (int i = 0; i < 16; ++i) {
        absl::StrAppend(&body.text, name, "{host=\"10_0_3_", i, "\",tm_id=\"tm_", i, "\",} ",
                        JavaDouble(tm * 16 + i), "\n");
        ++body.samples;
      }
    }
  }
  return body;
}

void BM_Text004_ShortLines(benchmark::State& state) {
  static const FlinkBody body = MakeShortLineBody(4 << 20);
  Run(state, TextFormat::kPrometheus004, body);
}
BENCHMARK(BM_Text004_ShortLines)->Unit(benchmark::kMillisecond);

void BM_OpenMetrics_FlinkShaped(benchmark::State& state) {
  static const FlinkBody body = MakeFlinkBodyOfSize(4 << 20, true);
  Run(state, TextFormat::kOpenMetrics100, body);
}
BENCHMARK(BM_OpenMetrics_FlinkShaped)->Unit(benchmark::kMillisecond);

// The peer measured in the same run: the least work any text parser must do
// on this body (split lines with memchr, skip comments, convert the value
// after the last space with strtod), validating nothing and reading no
// labels. RESULTS.md reports the parser as a ratio of this.
void BM_Peer_SplitLinesAndStrtod(benchmark::State& state) {
  static const FlinkBody body = MakeFlinkBodyOfSize(4 << 20, false);
  for (auto _ : state) {
    double sum = 0;
    size_t lines = 0;
    const char* p = body.text.data();
    const char* end = p + body.text.size();
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (nl == nullptr) nl = end;
      if (*p != '#') {
        const char* space = nl;
        while (space > p && space[-1] != ' ') --space;
        sum += std::strtod(space, nullptr);
        ++lines;
      }
      p = nl + 1;
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.text.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * body.samples));
}
BENCHMARK(BM_Peer_SplitLinesAndStrtod)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vitals::gateway
