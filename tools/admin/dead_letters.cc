#include "dead_letters.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "kafka_util.h"  // libs/events/src: the headers the consumer writes and reads
#include "osh/core/ids.h"

namespace osh::admin {
namespace {

// Marks a replayed copy with the dead letter it came from, for whoever reads
// the topic later; consumers look only at the ce_* attributes.
constexpr char kReplayedFromHeader[] = "osh_replayed_from";

std::string HeaderValue(RdKafka::Message& m, const char* name) {
  RdKafka::Headers* headers = m.headers();
  if (headers == nullptr) return "";
  RdKafka::Headers::Header last = headers->get_last(name);
  if (last.err() != RdKafka::ERR_NO_ERROR || last.value() == nullptr) return "";
  return std::string(static_cast<const char*>(last.value()), last.value_size());
}

template <typename Int>
Int NumberOr(const std::string& text, Int fallback) {
  try {
    size_t used = 0;
    const long long value = std::stoll(text, &used);
    return used == text.size() ? static_cast<Int>(value) : fallback;
  } catch (const std::exception&) {
    return fallback;
  }
}

DeadLetter DeadLetterOf(RdKafka::Message& m, const std::string& event_topic) {
  DeadLetter d;
  d.partition = m.partition();
  d.offset = m.offset();
  d.event = events::internal::EventOf(m);
  d.original_topic = HeaderValue(m, events::header::kOriginalTopic);
  if (d.original_topic.empty()) d.original_topic = event_topic;
  d.original_partition = NumberOr<int32_t>(HeaderValue(m, events::header::kOriginalPartition), -1);
  d.original_offset = NumberOr<int64_t>(HeaderValue(m, events::header::kOriginalOffset), -1);
  d.error = HeaderValue(m, events::header::kError);
  d.dead_lettered_at_ms = m.timestamp().timestamp;
  return d;
}

}  // namespace

std::string FormatUnixMillis(int64_t ms) {
  const auto seconds = static_cast<std::time_t>(ms / 1000);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(seconds), static_cast<int>(ms % 1000));
}

std::optional<std::vector<DeadLetter>> ListDeadLetters(const DeadLetterOptions& options, std::string* error) {
  const std::string dlt = options.topic + options.dead_letter_suffix;
  auto conf = events::internal::MakeConf({{"bootstrap.servers", options.brokers},
                                          // Required by the consumer API; never joined (assign, not subscribe)
                                          // and never committed, so no group's position moves.
                                          {"group.id", "osh-admin-dlq-" + core::NewRequestId()},
                                          {"enable.auto.commit", "false"},
                                          {"enable.auto.offset.store", "false"},
                                          {"client.id", "osh-admin"}},
                                         error);
  if (!conf) return std::nullopt;
  std::string why;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), why));
  if (!consumer) {
    *error = "kafka consumer: " + why;
    return std::nullopt;
  }
  const int timeout_ms = static_cast<int>(options.timeout.count());
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer.get(), dlt, nullptr, why));
  RdKafka::Metadata* raw = nullptr;
  if (!handle) {
    *error = "topic " + dlt + ": " + why;
    return std::nullopt;
  }
  if (auto rc = consumer->metadata(false, handle.get(), &raw, timeout_ms); rc != RdKafka::ERR_NO_ERROR) {
    *error = "metadata of " + dlt + " from " + options.brokers + ": " + RdKafka::err2str(rc);
    return std::nullopt;
  }
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  std::vector<DeadLetter> out;
  if (metadata->topics()->empty() || metadata->topics()->front()->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART) {
    consumer->close();
    return out;  // nothing was ever dead-lettered
  }
  if (auto rc = metadata->topics()->front()->err(); rc != RdKafka::ERR_NO_ERROR) {
    *error = "metadata of " + dlt + ": " + RdKafka::err2str(rc);
    return std::nullopt;
  }

  // Read each partition from its start to the end it has now.
  std::map<int32_t, int64_t> end_of;  // partition -> high watermark still to reach
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const auto* p : *metadata->topics()->front()->partitions()) {
    int64_t low = 0, high = 0;
    if (auto rc = consumer->query_watermark_offsets(dlt, p->id(), &low, &high, timeout_ms);
        rc != RdKafka::ERR_NO_ERROR) {
      RdKafka::TopicPartition::destroy(assignment);
      *error = fmt::format("offsets of {} partition {}: {}", dlt, p->id(), RdKafka::err2str(rc));
      return std::nullopt;
    }
    if (high <= low) continue;
    end_of[p->id()] = high;
    assignment.push_back(RdKafka::TopicPartition::create(dlt, p->id(), low));
  }
  if (!assignment.empty()) consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);

  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  while (!end_of.empty() && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(200));
    if (m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF) continue;
    if (m->err() != RdKafka::ERR_NO_ERROR) {
      *error = "reading " + dlt + ": " + m->errstr();
      consumer->close();
      return std::nullopt;
    }
    out.push_back(DeadLetterOf(*m, options.topic));
    if (auto it = end_of.find(m->partition()); it != end_of.end() && m->offset() + 1 >= it->second) end_of.erase(it);
  }
  consumer->close();
  if (!end_of.empty()) {
    *error = fmt::format("{} was not read to its end within {} ms", dlt, options.timeout.count());
    return std::nullopt;
  }
  std::sort(out.begin(), out.end(),
            [](const DeadLetter& a, const DeadLetter& b) { return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset); });
  return out;
}

std::optional<ReplaySummary> ReplayDeadLetters(const DeadLetterOptions& options, const std::vector<std::string>& ids,
                                               bool dry_run, std::string* error) {
  auto letters = ListDeadLetters(options, error);
  if (!letters) return std::nullopt;

  ReplaySummary summary;
  const std::set<std::string> wanted(ids.begin(), ids.end());
  // The latest copy of each event id, in order of first dead-lettering.
  std::vector<std::string> order;
  std::map<std::string, const DeadLetter*> latest;
  for (const auto& d : *letters) {
    if (!wanted.empty() && !wanted.count(d.event.id)) continue;
    if (!events::ValidateAttributes(d.event).empty()) {
      // Without a valid ce_id and source no consumer can deduplicate it, and
      // every consumer dead-letters it again: it needs a person, not a replay.
      summary.malformed.push_back(fmt::format("{}:{}", d.partition, d.offset));
      continue;
    }
    if (!latest.count(d.event.id)) order.push_back(d.event.id);
    latest[d.event.id] = &d;
  }
  for (const auto& id : ids) {
    if (!latest.count(id)) summary.not_found.push_back(id);
  }
  if (dry_run || order.empty()) {
    summary.replayed = dry_run ? order : std::vector<std::string>{};
    return summary;
  }

  events::internal::SingleDeliveryReports reports;
  auto conf = events::internal::MakeConf({{"bootstrap.servers", options.brokers},
                                          {"enable.idempotence", "true"},
                                          {"acks", "all"},
                                          {"client.id", "osh-admin-replay"}},
                                         error);
  if (!conf) return std::nullopt;
  std::string why;
  conf->set("dr_cb", &reports, why);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), why));
  if (!producer) {
    *error = "kafka producer: " + why;
    return std::nullopt;
  }
  const std::string dlt = options.topic + options.dead_letter_suffix;
  for (const auto& id : order) {
    const DeadLetter& d = *latest[id];
    events::Event event = d.event;
    event.topic = d.original_topic;
    RdKafka::Headers* headers = events::internal::HeadersOf(event);
    headers->add(kReplayedFromHeader, fmt::format("{}:{}:{}", dlt, d.partition, d.offset));
    std::string failure;
    if (!events::internal::ProduceAndWait(*producer, event.topic, event.key, event.payload, headers,
                                          static_cast<int>(options.timeout.count()), &failure)) {
      *error = fmt::format("replaying {} to {} failed after {} replayed: {}", id, event.topic,
                           summary.replayed.size(), failure);
      return std::nullopt;
    }
    summary.replayed.push_back(id);
  }
  producer->flush(static_cast<int>(options.timeout.count()));
  return summary;
}

}  // namespace osh::admin
