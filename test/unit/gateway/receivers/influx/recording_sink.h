#pragma once

// Keeps copies of everything the parser hands over, so that tests can look
// at points after the views into the body and scratch have expired.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/receivers/influx/parser.h"

namespace vitals::gateway::testing {

struct OwnedField {
  std::string key;
  InfluxFieldType type = InfluxFieldType::kFloat;
  double float_value = 0;
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  bool bool_value = false;
  std::string string_value;
};

struct OwnedPoint {
  std::string measurement;
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<OwnedField> fields;
  bool has_timestamp = false;
  int64_t timestamp_ns = 0;
};

struct Reject {
  size_t line;
  std::string reason;
};

class RecordingSink : public InfluxSink {
 public:
  void OnPoint(const InfluxPoint& p) override {
    OwnedPoint& o = points.emplace_back();
    o.measurement.assign(p.measurement);
    for (const LabelView& t : p.tags)
      o.tags.emplace_back(std::string(t.name), std::string(t.value));
    for (const InfluxField& f : p.fields) {
      OwnedField& of = o.fields.emplace_back();
      of.key.assign(f.key);
      of.type = f.type;
      of.float_value = f.float_value;
      of.int_value = f.int_value;
      of.uint_value = f.uint_value;
      of.bool_value = f.bool_value;
      of.string_value.assign(f.string_value);
    }
    o.has_timestamp = p.has_timestamp;
    o.timestamp_ns = p.timestamp_ns;
  }
  void OnReject(size_t line, std::string_view reason) override {
    rejects.push_back({line, std::string(reason)});
  }

  std::vector<OwnedPoint> points;
  std::vector<Reject> rejects;
};

}  // namespace vitals::gateway::testing
