#include "osh/events/outbox.h"

#include <algorithm>

namespace osh::events {

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

void Outbox::Append(store::Tx& tx, const Event& e) {
  auto s = tx.Prepare(
      "INSERT INTO events_outbox (event_id, source, type, time, topic, event_key, payload) VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.BindAll(e.id, e.source, e.type, e.time, e.topic, e.key);
  s.BindBlob(7, e.payload);
  s.Run();
}

std::vector<Outbox::Row> Outbox::Pending(store::Tx& tx, int64_t after_seq, int limit) {
  auto s = tx.Prepare(
      "SELECT seq, event_id, source, type, time, topic, event_key, payload FROM events_outbox"
      " WHERE sent_at IS NULL AND seq > ? ORDER BY seq LIMIT ?");
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
  auto s = tx.Prepare("SELECT COUNT(*) FROM events_outbox WHERE sent_at IS NULL");
  s.Step();
  return s.Int(0);
}

int Outbox::PruneSent(store::Tx& tx, int64_t older_than_seconds) {
  auto s = tx.Prepare(
      "DELETE FROM events_outbox WHERE sent_at IS NOT NULL AND sent_at < CAST(strftime('%s', 'now') AS INTEGER) - ?");
  s.Bind(1, older_than_seconds);
  return s.Run();
}

}  // namespace osh::events
