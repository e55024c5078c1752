#pragma once

// The parked rows of a service's outbox (events::Outbox::Park: events Kafka
// refused for good, set aside so the rows after them flow), listed and put
// back in the queue, for osh-admin.
//
// Re-queueing clears a row's parking: the row is pending again in its old
// place by seq, and the service's running relay publishes it in its next
// round (it looks for rows every idle poll). Do it once the reason was dealt
// with (e.g. the topic's max.message.bytes raised); a row Kafka refuses again
// is parked again, so a re-queue can never stop the stream either. Consumers
// drop a copy they already applied by its ce_id, so re-queueing is safe.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "osh/events/outbox.h"

namespace osh::admin {

// Every parked row of the outbox in `db` (a service's SQLite file), oldest
// first. nullopt with *error when the file is missing or has no outbox with
// parking.
std::optional<std::vector<events::Outbox::Parked>> ListParkedRows(const std::filesystem::path& db,
                                                                  std::string* error);

struct RequeueSummary {
  std::vector<std::string> requeued;   // event ids, in seq order
  std::vector<std::string> not_found;  // requested event ids that are not parked rows
};

// Re-queues the parked rows of the events in `event_ids` (all parked rows
// when empty), in one transaction. With dry_run nothing changes and the
// summary says what would be re-queued.
std::optional<RequeueSummary> RequeueParkedRows(const std::filesystem::path& db,
                                                const std::vector<std::string>& event_ids, bool dry_run,
                                                std::string* error);

}  // namespace osh::admin
