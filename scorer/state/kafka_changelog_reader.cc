#include "scorer/state/kafka_changelog_reader.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <climits>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/base/status_macros.h"

namespace vitals::scorer {
namespace {

int RemainingMs(absl::Time deadline) {
  return static_cast<int>(
      std::clamp<int64_t>(absl::ToInt64Milliseconds(deadline - absl::Now()), 0, INT_MAX));
}

}  // namespace

absl::StatusOr<std::unique_ptr<KafkaChangelogReader>> KafkaChangelogReader::Create(
    kafka::Properties properties) {
  // librdkafka only assigns partitions to a consumer that has a group id;
  // without subscribe() it never joins that group, and with commits off it
  // never writes offsets there.
  properties.try_emplace("group.id", "vitals-scorer-state-restore");
  properties["enable.auto.commit"] = "false";
  properties["enable.auto.offset.store"] = "false";
  properties["enable.partition.eof"] = "true";
  properties.try_emplace("client.id", "vitals-scorer-state-restore");
  // A partition is read once to its end: no point in waiting for fuller
  // fetches.
  properties.try_emplace("fetch.wait.max.ms", "100");
  absl::StatusOr<rd_kafka_conf_t*> conf = kafka::MakeConf(properties);
  if (!conf.ok()) return conf.status();
  std::unique_ptr<KafkaChangelogReader> reader(new KafkaChangelogReader());
  char err[512];
  reader->rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, *conf, err, sizeof(err));
  if (reader->rk_ == nullptr) {
    rd_kafka_conf_destroy(*conf);
    return absl::InvalidArgumentError(absl::StrCat("cannot create the state reader: ", err));
  }
  rd_kafka_poll_set_consumer(reader->rk_);
  return reader;
}

KafkaChangelogReader::~KafkaChangelogReader() {
  if (rk_ == nullptr) return;
  rd_kafka_consumer_close(rk_);
  rd_kafka_destroy(rk_);
}

absl::StatusOr<int> KafkaChangelogReader::PartitionCount(const std::string& topic,
                                                         absl::Time deadline) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
  if (rkt == nullptr) return absl::InvalidArgumentError(absl::StrCat("bad topic name ", topic));
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 0, rkt, &md, RemainingMs(deadline));
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("metadata of state topic ", topic, ": ", rd_kafka_err2str(err)));
  }
  std::unique_ptr<const rd_kafka_metadata_t, decltype(&rd_kafka_metadata_destroy)> guard(
      md, &rd_kafka_metadata_destroy);
  if (md->topic_cnt < 1 || md->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
    return absl::NotFoundError(absl::StrCat("state topic ", topic, " does not exist"));
  }
  if (md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("state topic ", topic, ": ", rd_kafka_err2str(md->topics[0].err)));
  }
  return md->topics[0].partition_cnt;
}

absl::Status KafkaChangelogReader::ReadToEnd(const std::string& topic,
                                             const std::vector<int32_t>& partitions,
                                             absl::Time deadline, const Visitor& visit) {
  if (partitions.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(const int count, PartitionCount(topic, deadline));
  // Where each partition ends now. What is written later is ours: the
  // partitions were just assigned to this replica.
  std::map<int32_t, int64_t> end;
  std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)>
      assignment(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())),
                 &rd_kafka_topic_partition_list_destroy);
  // A partition the topic lacks is a misconfiguration; the others are
  // still worth reading.
  absl::Status missing;
  for (int32_t p : partitions) {
    if (p < 0 || p >= count) {
      missing = absl::FailedPreconditionError(
          absl::StrCat("state topic ", topic, " has ", count, " partitions, no partition ", p,
                       ": it needs as many as the metrics topic"));
      continue;
    }
    int64_t low = 0;
    int64_t high = 0;
    const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        rk_, topic.c_str(), p, &low, &high, std::max(1, RemainingMs(deadline)));
    if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
      return absl::DeadlineExceededError(
          absl::StrCat("watermarks of ", topic, " partition ", p, ": timed out"));
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::UnavailableError(
          absl::StrCat("watermarks of ", topic, " partition ", p, ": ", rd_kafka_err2str(err)));
    }
    if (high <= low) continue;  // empty
    end[p] = high;
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  if (end.empty()) return missing;
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk_, assignment.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("assign ", topic, ": ", rd_kafka_err2str(err)));
  }

  absl::Status status;
  while (!end.empty()) {
    const int remaining = RemainingMs(deadline);
    if (remaining == 0) {
      std::string left;
      for (const auto& [p, high] : end) absl::StrAppend(&left, left.empty() ? "" : ",", p);
      status = absl::DeadlineExceededError(
          absl::StrCat("partitions ", left, " of ", topic, " not read to their end in time"));
      break;
    }
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk_, std::min(remaining, 100));
    if (msg == nullptr) continue;
    std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> guard(
        msg, &rd_kafka_message_destroy);
    auto it = end.find(msg->partition);
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (it != end.end()) end.erase(it);
      continue;
    }
    if (msg->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
        msg->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        msg->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
      status = absl::FailedPreconditionError(
          absl::StrCat("reading ", topic, ": ", rd_kafka_message_errstr(msg)));
      break;
    }
    // Other errors are transient (a broker away): librdkafka retries.
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR || it == end.end()) continue;
    ChangelogRecord record;
    record.partition = msg->partition;
    record.offset = msg->offset;
    if (msg->key != nullptr) record.key = {static_cast<const char*>(msg->key), msg->key_len};
    if (msg->payload != nullptr) {
      record.value = std::string_view(static_cast<const char*>(msg->payload), msg->len);
    }
    visit(record);
    if (msg->offset + 1 >= it->second) end.erase(it);
  }
  rd_kafka_assign(rk_, nullptr);
  return status.ok() ? missing : status;
}

}  // namespace vitals::scorer
