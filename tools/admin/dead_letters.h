#pragma once

// The dead-letter topic of an event topic (`<topic>.dlt`, written by
// events::EventConsumer) read back and replayed, for osh-admin.
//
// A replay publishes the dead-lettered copy to its original topic with its
// original CloudEvents attributes (ce_id above all), key and payload. Every
// consumer records (ce_source, ce_id) with the event's effect, so a replayed
// event a consumer already applied changes nothing there, and replaying the
// same dead letter twice applies it at most once.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "osh/events/event.h"

namespace osh::admin {

struct DeadLetter {
  int32_t partition = -1;  // where the copy sits in the .dlt topic
  int64_t offset = -1;
  std::string original_topic;  // osh_original_topic; the event topic when absent
  int32_t original_partition = -1;
  int64_t original_offset = -1;
  std::string error;                  // osh_error: why the consumer gave up
  int64_t dead_lettered_at_ms = 0;    // the copy's Kafka timestamp (Unix ms)
  events::Event event;                // ce_* attributes, key and payload as dead-lettered
};

struct DeadLetterOptions {
  std::string brokers;
  std::string topic;  // the event topic; its dead letters are in topic + suffix
  std::string dead_letter_suffix = ".dlt";
  // How long reading the dead-letter topic to its end may take.
  std::chrono::milliseconds timeout{30000};
};

// Every dead letter of options.topic, in (partition, offset) order. nullopt with
// *error when the broker or topic cannot be read in time. A topic that never
// had a dead letter (no .dlt topic yet) has none: an empty list.
std::optional<std::vector<DeadLetter>> ListDeadLetters(const DeadLetterOptions& options, std::string* error);

struct ReplaySummary {
  std::vector<std::string> replayed;     // ce_ids, in order of publication
  std::vector<std::string> malformed;    // offsets of copies without valid CloudEvents attributes (not replayed)
  std::vector<std::string> not_found;    // requested ce_ids that are not dead letters of the topic
};

// Publishes the chosen dead letters (the ce_ids in `ids`, or all when `ids`
// is empty) to their original topics and waits for the broker's
// acknowledgement of each. An event dead-lettered more than once is replayed
// once (its latest copy). With dry_run nothing is published, the summary
// says what would be. nullopt with *error when a publish failed (the events
// before it were published; replaying again is safe).
std::optional<ReplaySummary> ReplayDeadLetters(const DeadLetterOptions& options, const std::vector<std::string>& ids,
                                               bool dry_run, std::string* error);

// "2026-12-03T13:45:12.345Z"
std::string FormatUnixMillis(int64_t ms);

}  // namespace osh::admin
