// Throughput of the Influx line protocol parser on what Flink's
// InfluxdbReporter sends: one report of a TaskManager running a few
// operators, every metric type, ten-odd tags per line, ns timestamps.

#include <cstdint>
#include <string>
#include <string_view>

#include "benchmark/benchmark.h"
#include "gateway/receivers/influx/parser.h"

namespace vitals::gateway {
namespace {

class CountingSink : public InfluxSink {
 public:
  void OnPoint(const InfluxPoint& p) override {
    ++points;
    fields += p.fields.size();
  }
  void OnReject(size_t, std::string_view) override { ++rejects; }
  int64_t points = 0;
  int64_t fields = 0;
  int64_t rejects = 0;
};

// Tags as influxdb-java writes them for an operator-scope metric: sorted,
// with spaces in task and operator names escaped.
std::string OperatorTags(int job, int op, int subtask) {
  const std::string job_id = "3f2a9c0d1e4b5a6978c0d1e2f3a4b5c" + std::to_string(job % 10);
  return ",host=flink-tm-" + std::to_string(subtask) + ".flink.svc.cluster.local,job_id=" + job_id +
         ",job_name=Fraud\\ Detection\\ " + std::to_string(job) +
         ",operator_id=cbc357ccb763df2852fee8c4fc7d55f" + std::to_string(op) +
         ",operator_name=Window(TumblingEventTimeWindows(60000))\\ " + std::to_string(op) +
         ",subtask_index=" + std::to_string(subtask) +
         ",task_attempt_id=8f4e2b1c9a7d6e5f4a3b2c1d0e9f8a7" + std::to_string(op) +
         ",task_attempt_num=0,task_id=bc764cd8ddf7a0cff126f51c16239658,task_name=Source:\\ "
         "Kafka\\ ->\\ Map\\ " +
         std::to_string(op) + ",tm_id=flink-tm-" + std::to_string(subtask);
}

std::string FlinkReport(int lines_wanted) {
  constexpr const char* kTs = " 1700000000123000000\n";
  std::string body;
  int lines = 0;
  for (int job = 0; lines < lines_wanted; ++job) {
    for (int op = 0; op < 4 && lines < lines_wanted; ++op) {
      const std::string tags = OperatorTags(job, op, job % 8);
      body += "taskmanager_job_task_operator_numRecordsIn" + tags +
              " count=" + std::to_string(1234567 + job) + "i" + kTs;
      body += "taskmanager_job_task_operator_numRecordsOutPerSecond" + tags +
              " count=98765i,rate=1645.4166666666667" + kTs;
      body += "taskmanager_job_task_operator_currentInputWatermark" + tags +
              " value=1700000000000i" + kTs;
      body += "taskmanager_job_task_operator_latency" + tags +
              " run-count=1234i,count=100i,min=1i,max=97i,mean=12.5,std-dev=3.25,"
              "50-percentile=11.0,75-percentile=15.5,95-percentile=40.0,98-percentile=61.0,"
              "99-percentile=80.0,999-percentile=97.0" +
              kTs;
      body += "taskmanager_job_task_backPressuredTimeMsPerSecond" + tags + " value=0.0" + kTs;
      lines += 5;
    }
  }
  return body;
}

void BM_FlinkReport(benchmark::State& state) {
  const std::string body = FlinkReport(static_cast<int>(state.range(0)));
  InfluxParser parser;
  CountingSink sink;
  for (auto _ : state) {
    benchmark::DoNotOptimize(parser.Parse(body, InfluxPrecision::kNanoseconds, sink));
  }
  if (sink.rejects != 0) state.SkipWithError("Flink report had rejected lines");
  state.SetBytesProcessed(static_cast<int64_t>(body.size()) * state.iterations());
  state.counters["points/s"] =
      benchmark::Counter(static_cast<double>(sink.points), benchmark::Counter::kIsRate);
  state.counters["bytes/line"] = static_cast<double>(body.size()) / state.range(0);
}
BENCHMARK(BM_FlinkReport)->Arg(20)->Arg(1000)->Arg(10000);

// The same volume without escapes and with few tags: the scanner's floor.
void BM_PlainLines(benchmark::State& state) {
  std::string body;
  for (int i = 0; i < 1000; ++i) {
    body += "cpu,host=server" + std::to_string(i % 16) +
            ",region=eu-west-1 usage_user=" + std::to_string(i) +
            ".25,usage_system=3.5,count=" + std::to_string(i) + "i 1700000000000000000\n";
  }
  InfluxParser parser;
  CountingSink sink;
  for (auto _ : state) {
    benchmark::DoNotOptimize(parser.Parse(body, InfluxPrecision::kNanoseconds, sink));
  }
  state.SetBytesProcessed(static_cast<int64_t>(body.size()) * state.iterations());
  state.counters["points/s"] =
      benchmark::Counter(static_cast<double>(sink.points), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PlainLines);

}  // namespace
}  // namespace vitals::gateway
