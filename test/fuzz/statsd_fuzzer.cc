// Fuzz targets for the StatsD parsers (gateway/receivers/statsd). Beyond "no crash", each checks
// the parsers' contracts and aborts when one breaks:
// - lines: views stay inside the input, limits hold, and a datagram parses
//   exactly as its lines parsed one by one (a bad line affects no other);
// - scope (VITALS_STATSD_FUZZ_SCOPE): a match re-formats to the input.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/receivers/statsd/parser.h"
#include "gateway/receivers/statsd/scope_format.h"

namespace {

using vitals::gateway::LabelView;

void Check(bool ok) {
  if (!ok) std::abort();
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

#ifndef VITALS_STATSD_FUZZ_SCOPE

using vitals::gateway::StatsdMetric;
using vitals::gateway::StatsdParseOptions;
using vitals::gateway::StatsdParser;
using vitals::gateway::StatsdSink;
using vitals::gateway::StatsdType;

// Flattens what the parser reports so two runs can be compared.
class Transcript : public StatsdSink {
 public:
  Transcript(std::string_view input, const StatsdParseOptions& options, bool whole)
      : input_(input), options_(options), whole_(whole) {}

  void OnMetric(const StatsdMetric& m) override {
    Check(!m.name.empty() && m.name.find(':') == std::string_view::npos &&
          m.name.find('\n') == std::string_view::npos);
    Check(Inside(m.name, input_) && Inside(m.raw_value, input_));
    Check(m.sample_rate > 0 && m.sample_rate <= 1);
    Check(m.tags.size() <= options_.max_tags);
    Check(options_.dogstatsd_tags || m.tags.empty());
    Check(m.timestamp_s >= 0);
    for (const LabelView& t : m.tags) {
      Check(!t.name.empty() && !t.value.empty());
      // container_id is the one name the parser supplies itself.
      Check(Inside(t.name, input_) || t.name == "container_id");
      Check(Inside(t.value, input_));
    }
    log += "M" + std::string(m.name) + "=" + std::string(m.raw_value) + "#" +
           std::to_string(m.tags.size()) + "\n";
  }
  void OnReject(size_t line, std::string_view reason) override {
    Check(!reason.empty());
    Check(whole_ ? line > last_reject_ : line == 1);
    last_reject_ = line;
    log += "R" + std::string(reason) + "\n";
  }

  std::string log;

 private:
  std::string_view input_;
  StatsdParseOptions options_;
  bool whole_;
  size_t last_reject_ = 0;
};

void FuzzLines(std::string_view input) {
  for (bool tags : {true, false}) {
    const StatsdParseOptions options{.dogstatsd_tags = tags, .max_line_bytes = 512, .max_tags = 4};
    StatsdParser parser(options);
    Transcript whole(input, options, /*whole=*/true);
    const size_t accepted = parser.Parse(input, whole);

    // Line by line, with the same parser (its scratch state must not leak).
    Transcript pieces(input, options, /*whole=*/false);
    size_t accepted_pieces = 0;
    size_t lines = 0;
    for (size_t start = 0; start <= input.size(); ++lines) {
      size_t end = input.find('\n', start);
      if (end == std::string_view::npos) end = input.size();
      accepted_pieces += parser.Parse(input.substr(start, end - start), pieces);
      start = end + 1;
    }
    Check(accepted == accepted_pieces);
    Check(accepted <= lines);
    Check(whole.log == pieces.log);
  }
}

#else  // VITALS_STATSD_FUZZ_SCOPE

using vitals::gateway::FlinkScopeFormats;
using vitals::gateway::ScopeParser;

std::vector<ScopeParser> MakeParsers() {
  std::vector<FlinkScopeFormats> configs(4);
  configs[1].delimiter = '|';
  configs[1].values_contain_delimiter = false;
  configs[2].delimiter = '_';
  configs[3].tm_job = "*.<job_name>";
  configs[3].task = "*.<task_id>.<task_name>.<subtask_index>.<task_attempt_num>";
  configs[3].operator_ = "*.<operator_id>.<operator_name>.<host>";
  std::vector<ScopeParser> parsers;
  for (const auto& c : configs) {
    auto p = ScopeParser::Create(c);
    Check(p.ok());
    parsers.push_back(*std::move(p));
  }
  return parsers;
}

void FuzzScope(std::string_view input) {
  static const std::vector<ScopeParser>* parsers = new auto(MakeParsers());
  const bool has_colon = input.find(':') != std::string_view::npos;
  for (const ScopeParser& parser : *parsers) {
    for (int with_jobs = 0; with_jobs < 2; ++with_jobs) {
      auto m = with_jobs ? parser.Parse(input, [](std::string_view j) { return j.size() % 2 == 0; })
                         : parser.Parse(input);
      if (!m.ok()) continue;
      Check(!m->metric.empty() && Inside(m->metric, input));
      Check(m->metric.data() + m->metric.size() == input.data() + input.size());
      for (const LabelView& v : m->variables) Check(!v.value.empty() && Inside(v.value, input));
      // Parse inverts Format whenever Flink's ':' filter changed nothing.
      if (!has_colon) Check(parser.Format(m->scope, m->variables, m->metric) == input);
    }
  }
}

#endif

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
#ifdef VITALS_STATSD_FUZZ_SCOPE
  FuzzScope(input);
#else
  FuzzLines(input);
#endif
  return 0;
}
