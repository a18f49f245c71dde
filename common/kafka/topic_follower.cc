#include "common/kafka/topic_follower.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <climits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/base/status_macros.h"
#include "common/kafka/rd_message.h"

namespace vitals::kafka {
namespace {

int ToMs(absl::Duration d) {
  return static_cast<int>(std::clamp<int64_t>(absl::ToInt64Milliseconds(d), 0, INT_MAX));
}

using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                      decltype(&rd_kafka_topic_partition_list_destroy)>;

PartitionList NewList(int size) {
  return PartitionList(rd_kafka_topic_partition_list_new(std::max(size, 1)),
                       &rd_kafka_topic_partition_list_destroy);
}

std::string Join(const std::vector<int32_t>& partitions) {
  std::string out;
  for (int32_t p : partitions) absl::StrAppend(&out, out.empty() ? "" : ",", p);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TopicFollower>> TopicFollower::Create(Properties properties,
                                                                     Options options) {
  if (options.topic.empty()) return absl::InvalidArgumentError("topic follower needs a topic");
  // librdkafka assigns partitions only to a consumer that has a group id;
  // without subscribe() this one never joins that group, and with commits
  // off it never writes offsets there. Whatever group the caller's
  // properties name (the scorer's own) is left alone.
  properties["group.id"] = "vitals-topic-follower";
  properties["enable.auto.commit"] = "false";
  properties["enable.auto.offset.store"] = "false";
  properties["enable.partition.eof"] = "true";
  // Following a topic must not create it (brokers that honour the flag).
  properties["allow.auto.create.topics"] = "false";
  // An offset that retention removed before it was read: read what is left.
  properties["auto.offset.reset"] = "earliest";
  properties.try_emplace("client.id", "vitals-topic-follower");
  absl::StatusOr<rd_kafka_conf_t*> conf = MakeConf(properties);
  if (!conf.ok()) return conf.status();
  std::unique_ptr<TopicFollower> follower(new TopicFollower(std::move(options)));
  char err[512];
  follower->rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, *conf, err, sizeof(err));
  if (follower->rk_ == nullptr) {
    rd_kafka_conf_destroy(*conf);
    return absl::InvalidArgumentError(absl::StrCat("cannot create the topic follower: ", err));
  }
  rd_kafka_poll_set_consumer(follower->rk_);
  follower->rkt_ = rd_kafka_topic_new(follower->rk_, follower->options_.topic.c_str(), nullptr);
  if (follower->rkt_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("bad topic name ", follower->options_.topic,
                                                   ": ", rd_kafka_err2str(rd_kafka_last_error())));
  }
  return follower;
}

TopicFollower::~TopicFollower() {
  if (rk_ == nullptr) return;
  Close();
  if (rkt_ != nullptr) rd_kafka_topic_destroy(rkt_);
  rd_kafka_destroy(rk_);
}

void TopicFollower::Close() {
  if (closed_ || rk_ == nullptr) return;
  closed_ = true;
  rd_kafka_consumer_close(rk_);
}

std::vector<int32_t> TopicFollower::partitions() const {
  return std::vector<int32_t>(assigned_.begin(), assigned_.end());
}

absl::StatusOr<std::set<int32_t>> TopicFollower::ReadPartitions() {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk_, 0, rkt_, &md, std::max(1, ToMs(options_.request_timeout)));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("metadata of topic ", options_.topic, ": ", rd_kafka_err2str(err)));
  }
  std::unique_ptr<const rd_kafka_metadata_t, decltype(&rd_kafka_metadata_destroy)> guard(
      md, &rd_kafka_metadata_destroy);
  std::set<int32_t> out;
  if (md->topic_cnt < 1 || md->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
    return out;  // not created yet
  }
  if (md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("topic ", options_.topic, ": ", rd_kafka_err2str(md->topics[0].err)));
  }
  for (int i = 0; i < md->topics[0].partition_cnt; ++i) out.insert(md->topics[0].partitions[i].id);
  return out;
}

absl::Status TopicFollower::OffsetsFor(std::map<int32_t, int64_t>& query) {
  if (query.empty()) return absl::OkStatus();
  PartitionList list = NewList(static_cast<int>(query.size()));
  for (const auto& [p, value] : query) {
    rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), p)->offset = value;
  }
  const rd_kafka_resp_err_t err =
      rd_kafka_offsets_for_times(rk_, list.get(), std::max(1, ToMs(options_.request_timeout)));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("offsets of topic ", options_.topic, ": ", rd_kafka_err2str(err)));
  }
  query.clear();
  for (int i = 0; i < list->cnt; ++i) {
    // A partition whose leader did not answer is left out: resolved on a
    // later refresh.
    if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    query[list->elems[i].partition] = list->elems[i].offset;
  }
  return absl::OkStatus();
}

absl::Status TopicFollower::Refresh() {
  if (closed_) return absl::FailedPreconditionError("topic follower closed");
  ASSIGN_OR_RETURN(const std::set<int32_t> listed, ReadPartitions());
  if (!answered_) {
    answered_ = true;
    first_listed_ = listed;
  }

  // Partitions gone (the topic deleted): stop reading them. Should they
  // come back, everything in them is new.
  std::vector<int32_t> gone;
  for (int32_t p : assigned_) {
    if (!listed.contains(p)) gone.push_back(p);
  }
  if (!gone.empty()) {
    PartitionList list = NewList(static_cast<int>(gone.size()));
    for (int32_t p : gone) {
      rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), p);
      assigned_.erase(p);
      catching_up_.erase(p);
      first_listed_.erase(p);
    }
    if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk_, list.get())) {
      const std::string message = rd_kafka_error_string(error);
      rd_kafka_error_destroy(error);
      return absl::InternalError(
          absl::StrCat("unassign ", options_.topic, " partitions ", Join(gone), ": ", message));
    }
  }

  // Partitions new to this follower: where each ends now (the position of
  // an empty lookup, and how far "caught up" reaches) and, for those of the
  // first answer, where `start_ms` begins.
  std::map<int32_t, int64_t> end;
  std::map<int32_t, int64_t> by_time;
  for (int32_t p : listed) {
    if (assigned_.contains(p)) continue;
    end[p] = RD_KAFKA_OFFSET_END;
    if (first_listed_.contains(p)) by_time[p] = options_.start_ms;
  }
  if (end.empty()) return absl::OkStatus();
  std::vector<int32_t> wanted;
  for (const auto& [p, unused] : end) wanted.push_back(p);
  RETURN_IF_ERROR(OffsetsFor(end));
  RETURN_IF_ERROR(OffsetsFor(by_time));

  PartitionList list = NewList(static_cast<int>(end.size()));
  std::vector<int32_t> unresolved;
  std::vector<std::pair<int32_t, int64_t>> added;
  for (int32_t p : wanted) {
    auto e = end.find(p);
    if (e == end.end() || e->second < 0) {
      unresolved.push_back(p);
      continue;
    }
    int64_t start = RD_KAFKA_OFFSET_BEGINNING;
    if (first_listed_.contains(p)) {
      auto t = by_time.find(p);
      if (t == by_time.end()) {
        unresolved.push_back(p);
        continue;
      }
      // No record at or after start_ms (-1): from the end.
      start = t->second >= 0 ? t->second : e->second;
    }
    rd_kafka_topic_partition_list_add(list.get(), options_.topic.c_str(), p)->offset = start;
    added.emplace_back(p, start);
  }
  if (!added.empty()) {
    if (rd_kafka_error_t* error = rd_kafka_incremental_assign(rk_, list.get())) {
      const std::string message = rd_kafka_error_string(error);
      rd_kafka_error_destroy(error);
      return absl::InternalError(absl::StrCat("assign ", options_.topic, ": ", message));
    }
    for (const auto& [p, start] : added) {
      assigned_.insert(p);
      const int64_t until = end[p];
      // A partition starting at its end has nothing to catch up on; one
      // from its beginning is caught up at its end (or its EOF, when
      // compaction or retention left fewer records).
      if (start == RD_KAFKA_OFFSET_BEGINNING ? until > 0 : start < until) {
        catching_up_[p] = until;
      }
    }
  }
  if (!unresolved.empty()) {
    return absl::UnavailableError(absl::StrCat("offsets of topic ", options_.topic, " partitions ",
                                               Join(unresolved),
                                               " not resolved: retried on the next refresh"));
  }
  return absl::OkStatus();
}

void TopicFollower::NoteRead(int32_t partition, int64_t offset) {
  auto it = catching_up_.find(partition);
  if (it != catching_up_.end() && offset + 1 >= it->second) catching_up_.erase(it);
}

absl::StatusOr<std::optional<Message>> TopicFollower::Poll(absl::Duration timeout) {
  if (closed_) return absl::FailedPreconditionError("topic follower closed");
  if (absl::Now() >= next_refresh_) {
    const absl::Status refreshed = Refresh();
    next_refresh_ =
        absl::Now() + (refreshed.ok() ? options_.metadata_refresh : options_.retry_backoff);
    if (!refreshed.ok()) return refreshed;
  }
  rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk_, ToMs(timeout));
  if (msg == nullptr) return std::optional<Message>();
  std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> guard(
      msg, &rd_kafka_message_destroy);
  if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    catching_up_.erase(msg->partition);
    return std::optional<Message>();
  }
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // A partition or the topic gone: the next poll re-reads the list.
    if (msg->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
        msg->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        msg->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
      next_refresh_ = absl::InfinitePast();
    }
    return absl::UnavailableError(
        absl::StrCat("following ", options_.topic, ": ", rd_kafka_message_errstr(msg)));
  }
  NoteRead(msg->partition, msg->offset);
  return std::optional<Message>(internal::ToMessage(*msg));
}

}  // namespace vitals::kafka
