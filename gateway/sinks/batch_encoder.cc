#include "gateway/sinks/batch_encoder.h"

#include "absl/strings/str_cat.h"

namespace vitals::gateway {

std::string BatchKey(const v1::MetricBatch& batch) {
  return batch.tenant().empty() ? batch.job_name()
                                : absl::StrCat(batch.tenant(), "/", batch.job_name());
}

std::vector<EncodedMessage> EncodeBatch(const v1::MetricBatch& batch, size_t max_bytes) {
  const std::string key = BatchKey(batch);
  std::vector<EncodedMessage> out;
  if (batch.ByteSizeLong() <= max_bytes) {
    out.push_back({key, batch.SerializeAsString()});
    return out;
  }
  v1::MetricBatch header = batch;
  header.clear_series();
  // Leave room for the part/parts fields and the length prefix of a series.
  const size_t overhead = header.ByteSizeLong() + 32;
  std::vector<v1::MetricBatch> parts;
  size_t part_bytes = 0;
  for (const v1::SeriesAggregate& series : batch.series()) {
    const size_t bytes = series.ByteSizeLong() + 8;
    if (parts.empty() || (part_bytes + bytes + overhead > max_bytes && part_bytes > 0)) {
      parts.push_back(header);
      part_bytes = 0;
    }
    *parts.back().add_series() = series;
    part_bytes += bytes;
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    parts[i].set_part(static_cast<uint32_t>(i));
    parts[i].set_parts(static_cast<uint32_t>(parts.size()));
    out.push_back({key, parts[i].SerializeAsString()});
  }
  return out;
}

}  // namespace vitals::gateway
