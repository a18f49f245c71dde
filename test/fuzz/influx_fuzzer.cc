// Feeds arbitrary bytes to the Influx line protocol parser. Beyond "no
// crash, no sanitizer report" it checks what every accepted point promises
// and that a reused parser gives the same answer twice.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gateway/receivers/influx/parser.h"

namespace {

using vitals::gateway::InfluxField;
using vitals::gateway::InfluxFieldType;
using vitals::gateway::InfluxParseOptions;
using vitals::gateway::InfluxParser;
using vitals::gateway::InfluxPoint;
using vitals::gateway::InfluxPrecision;
using vitals::gateway::InfluxSink;
using vitals::gateway::LabelView;

void Check(bool ok) {
  if (!ok) std::abort();
}

// Reads every byte of a view so that a dangling one trips the sanitizer.
size_t Touch(std::string_view v) {
  size_t sum = 0;
  for (char c : v) sum += static_cast<unsigned char>(c);
  return sum;
}

class CheckingSink : public InfluxSink {
 public:
  void OnPoint(const InfluxPoint& p) override {
    ++points;
    Check(!p.measurement.empty());
    Check(!p.fields.empty());
    checksum += Touch(p.measurement);
    for (const LabelView& t : p.tags) {
      Check(!t.name.empty() && !t.value.empty());
      checksum += Touch(t.name) + Touch(t.value);
    }
    for (const InfluxField& f : p.fields) {
      Check(!f.key.empty());
      if (f.type == InfluxFieldType::kString) checksum += Touch(f.string_value);
      if (f.type == InfluxFieldType::kFloat) Check(f.float_value == f.float_value);  // not NaN
    }
    if (!p.has_timestamp) Check(p.timestamp_ns == 0);
  }
  void OnReject(size_t line, std::string_view reason) override {
    ++rejects;
    Check(line >= 1);
    Check(!reason.empty());
    checksum += Touch(reason);
  }
  size_t points = 0;
  size_t rejects = 0;
  size_t checksum = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the precision and whether tight limits apply.
  const auto precision = static_cast<InfluxPrecision>(data[0] % 6);
  InfluxParseOptions options;
  if (data[0] & 0x80) {
    options.max_tags = 2;
    options.max_fields = 3;
  }
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  InfluxParser parser(options);
  CheckingSink first;
  const size_t accepted = parser.Parse(body, precision, first);
  Check(accepted == first.points);

  CheckingSink second;
  Check(parser.Parse(body, precision, second) == accepted);
  Check(second.rejects == first.rejects && second.checksum == first.checksum);
  return 0;
}
