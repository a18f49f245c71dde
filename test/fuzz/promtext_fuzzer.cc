// Feeds every input to the text 0.0.4 and OpenMetrics parsers and checks what
// comes out: views point into the input (or are small unescaped copies),
// families prefix their sample names, and a parser reused across inputs
// agrees with a fresh one (so no state leaks from one body into the next).

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gateway/receivers/promtext/parser.h"

namespace {

using vitals::gateway::LabelView;
using vitals::gateway::PromTextParser;
using vitals::gateway::SampleSink;
using vitals::gateway::SampleView;
using vitals::gateway::TextFormat;

void Check(bool condition) {
  if (!condition) std::abort();
}

class CheckingSink : public SampleSink {
 public:
  explicit CheckingSink(std::string_view body) : body_(body) {}

  void OnSample(const SampleView& s) override {
    Check(!s.name.empty() && Inside(s.name));
    Check(s.name.substr(0, s.family.size()) == s.family);
    for (const LabelView& l : s.labels) {
      Check(!l.name.empty() && Inside(l.name));
      // Unescaped values live in scratch space; either way every byte must
      // be readable now (ASan checks) and no longer than the line it came from.
      Check(l.value.size() <= body_.size());
      for (char c : l.value) checksum_ += static_cast<unsigned char>(c);
    }
    ++samples;
  }

  size_t samples = 0;

 private:
  bool Inside(std::string_view v) const {
    return v.data() >= body_.data() && v.data() + v.size() <= body_.data() + body_.size();
  }

  std::string_view body_;
  unsigned checksum_ = 0;
};

void RunBoth(TextFormat format, PromTextParser& reused, std::string_view body) {
  CheckingSink reused_sink(body);
  const bool reused_ok = reused.Parse(body, reused_sink).ok();
  PromTextParser fresh(format);
  CheckingSink fresh_sink(body);
  const bool fresh_ok = fresh.Parse(body, fresh_sink).ok();
  Check(reused_ok == fresh_ok);
  Check(reused_sink.samples == fresh_sink.samples);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static PromTextParser text004(TextFormat::kPrometheus004);
  static PromTextParser open_metrics(TextFormat::kOpenMetrics100);
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  RunBoth(TextFormat::kPrometheus004, text004, body);
  RunBoth(TextFormat::kOpenMetrics100, open_metrics, body);
  return 0;
}
