#include "osh/events/outbox.h"

#include <algorithm>
#include <atomic>

#include <fmt/format.h>

namespace osh::events {
namespace {

std::atomic<size_t> max_event_bytes{Outbox::kDefaultMaxEventBytes};

// A Kafka record's own framing (lengths, offsets, timestamp, attributes) and
// each header's; generous, so the limit errs on the safe side.
constexpr size_t kRecordOverhead = 128;
constexpr size_t kHeaderOverhead = 16;

}  // namespace

store::Migration Outbox::Migration(int version) {
  return {version, "events_outbox", R"sql(
CREATE TABLE events_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  type TEXT NOT NULL,
  time TEXT NOT NULL,
  topic TEXT NOT NULL,
  event_key TEXT NOT NULL,
  payload BLOB NOT NULL,
  created_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
  sent_at INTEGER
);
CREATE INDEX events_outbox_pending ON events_outbox(sent_at, seq);
)sql"};
}

store::Migration Outbox::ParkingMigration(int version) {
  return {version, "events_outbox_parking", R"sql(
ALTER TABLE events_outbox ADD COLUMN parked_at INTEGER;
ALTER TABLE events_outbox ADD COLUMN park_error TEXT;
CREATE INDEX events_outbox_parked ON events_outbox(parked_at, seq) WHERE parked_at IS NOT NULL;
)sql"};
}

store::Migration Outbox::TraceMigration(int version) {
  return {version, "events_outbox_traceparent",
          "ALTER TABLE events_outbox ADD COLUMN traceparent TEXT NOT NULL DEFAULT '';"};
}

void Outbox::SetMaxEventBytes(size_t bytes) { max_event_bytes.store(bytes); }
size_t Outbox::MaxEventBytes() { return max_event_bytes.load(); }

size_t Outbox::EncodedSize(const Event& e) {
  size_t headers = 0;
  for (const auto& [name, value] :
       {std::pair<std::string_view, std::string_view>{header::kSpecVersion, kSpecVersion},
        {header::kId, e.id},
        {header::kSource, e.source},
        {header::kType, e.type},
        {header::kTime, e.time},
        {header::kContentType, kContentTypeProtobuf},
        {header::kTraceparent, e.traceparent}}) {
    headers += name.size() + value.size() + kHeaderOverhead;
  }
  return kRecordOverhead + e.key.size() + e.payload.size() + headers;
}

void Outbox::Append(store::Tx& tx, const Event& e) {
  if (const size_t size = EncodedSize(e); size > MaxEventBytes()) {
    throw EventTooLarge(fmt::format("event {} ({}) for key {} is {} bytes encoded, above the outbox limit of {}",
                                    e.id, e.type, e.key, size, MaxEventBytes()));
  }
  auto s = tx.Prepare(
      "INSERT INTO events_outbox (event_id, source, type, time, topic, event_key, payload, traceparent)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.BindAll(e.id, e.source, e.type, e.time, e.topic, e.key);
  s.BindBlob(7, e.payload);
  s.Bind(8, e.traceparent);
  s.Run();
}

std::vector<Outbox::Row> Outbox::Pending(store::Tx& tx, int64_t after_seq, int limit) {
  auto s = tx.Prepare(
      "SELECT seq, event_id, source, type, time, topic, event_key, payload, traceparent FROM events_outbox"
      " WHERE sent_at IS NULL AND seq > ? AND parked_at IS NULL ORDER BY seq LIMIT ?");
  s.BindAll(after_seq, static_cast<int64_t>(limit));
  std::vector<Row> rows;
  while (s.Step()) {
    Row r;
    r.seq = s.Int(0);
    r.event.id = s.Text(1);
    r.event.source = s.Text(2);
    r.event.type = s.Text(3);
    r.event.time = s.Text(4);
    r.event.topic = s.Text(5);
    r.event.key = s.Text(6);
    r.event.payload = s.Blob(7);
    r.event.traceparent = s.Text(8);
    rows.push_back(std::move(r));
  }
  return rows;
}

void Outbox::MarkSent(store::Tx& tx, const std::vector<int64_t>& seqs) {
  // Delivered rows are nearly always one contiguous run of seq: update by ranges.
  auto s = tx.Prepare(
      "UPDATE events_outbox SET sent_at = CAST(strftime('%s', 'now') AS INTEGER) WHERE seq BETWEEN ? AND ?");
  std::vector<int64_t> sorted = seqs;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    s.Reset().BindAll(sorted[i], sorted[j]).Run();
    i = j + 1;
  }
}

int64_t Outbox::CountPending(store::Tx& tx) {
  auto s = tx.Prepare("SELECT COUNT(*) FROM events_outbox WHERE sent_at IS NULL AND parked_at IS NULL");
  s.Step();
  return s.Int(0);
}

int Outbox::PruneSent(store::Tx& tx, int64_t older_than_seconds) {
  auto s = tx.Prepare(
      "DELETE FROM events_outbox WHERE sent_at IS NOT NULL AND sent_at < CAST(strftime('%s', 'now') AS INTEGER) - ?");
  s.Bind(1, older_than_seconds);
  return s.Run();
}

void Outbox::Park(store::Tx& tx, int64_t seq, const std::string& error) {
  tx.Prepare(
        "UPDATE events_outbox SET parked_at = CAST(strftime('%s', 'now') AS INTEGER), park_error = ?"
        " WHERE seq = ? AND sent_at IS NULL")
      .BindAll(error, seq)
      .Run();
}

bool Outbox::Requeue(store::Tx& tx, const std::string& event_id) {
  return tx.Prepare(
               "UPDATE events_outbox SET parked_at = NULL, park_error = NULL"
               " WHERE event_id = ? AND parked_at IS NOT NULL AND sent_at IS NULL")
             .BindAll(event_id)
             .Run() > 0;
}

std::vector<Outbox::Parked> Outbox::ListParked(store::Tx& tx, int64_t after_seq, int limit) {
  auto s = tx.Prepare(
      "SELECT seq, event_id, type, topic, event_key, length(payload), created_at, parked_at, park_error"
      " FROM events_outbox WHERE parked_at IS NOT NULL AND seq > ? ORDER BY seq LIMIT ?");
  s.BindAll(after_seq, static_cast<int64_t>(limit));
  std::vector<Parked> out;
  while (s.Step()) {
    out.push_back({.seq = s.Int(0),
                   .event_id = s.Text(1),
                   .type = s.Text(2),
                   .topic = s.Text(3),
                   .key = s.Text(4),
                   .payload_bytes = s.Int(5),
                   .created_at = s.Int(6),
                   .parked_at = s.Int(7),
                   .error = s.Text(8)});
  }
  return out;
}

int64_t Outbox::CountParked(store::Tx& tx) {
  auto s = tx.Prepare("SELECT COUNT(*) FROM events_outbox WHERE parked_at IS NOT NULL");
  s.Step();
  return s.Int(0);
}

}  // namespace osh::events
