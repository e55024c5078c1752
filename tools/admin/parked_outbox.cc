#include "parked_outbox.h"

#include <algorithm>
#include <set>

#include "osh/store/database.h"

namespace osh::admin {
namespace {

// Opens a service's file as it is: no migration runs, and a missing file or
// one without an outbox with parking is an error rather than a fresh file.
std::unique_ptr<store::Database> OpenOutbox(const std::filesystem::path& path, std::string* error) {
  if (!std::filesystem::is_regular_file(path)) {
    *error = path.string() + " is not a file";
    return nullptr;
  }
  auto db = store::Database::Open({.path = path.string(), .read_connections = 1}, {});
  const bool has_parking = db->Read([](store::Tx& tx) {
    auto s = tx.Prepare("SELECT COUNT(*) FROM pragma_table_info('events_outbox') WHERE name = 'parked_at'");
    s.Step();
    return s.Int(0) > 0;
  });
  if (!has_parking) {
    *error = path.string() + " has no outbox with parked rows (events_outbox.parked_at)";
    return nullptr;
  }
  return db;
}

std::vector<events::Outbox::Parked> AllParked(store::Tx& tx) {
  constexpr int kPage = 1000;
  std::vector<events::Outbox::Parked> all;
  for (int64_t after = 0;;) {
    auto page = events::Outbox::ListParked(tx, after, kPage);
    if (page.empty()) break;
    after = page.back().seq;
    all.insert(all.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
  }
  return all;
}

}  // namespace

std::optional<std::vector<events::Outbox::Parked>> ListParkedRows(const std::filesystem::path& path,
                                                                  std::string* error) {
  try {
    auto db = OpenOutbox(path, error);
    if (!db) return std::nullopt;
    return db->Read([](store::Tx& tx) { return AllParked(tx); });
  } catch (const std::exception& e) {
    *error = e.what();
    return std::nullopt;
  }
}

std::optional<RequeueSummary> RequeueParkedRows(const std::filesystem::path& path,
                                                const std::vector<std::string>& event_ids, bool dry_run,
                                                std::string* error) {
  try {
    auto db = OpenOutbox(path, error);
    if (!db) return std::nullopt;
    return db->Write([&](store::Tx& tx) {
      const std::set<std::string> wanted(event_ids.begin(), event_ids.end());
      RequeueSummary summary;
      std::set<std::string> seen;
      for (const auto& row : AllParked(tx)) {
        if (!wanted.empty() && !wanted.count(row.event_id)) continue;
        seen.insert(row.event_id);
        if (dry_run || events::Outbox::Requeue(tx, row.event_id)) summary.requeued.push_back(row.event_id);
      }
      for (const auto& id : event_ids) {
        if (!seen.count(id) &&
            std::find(summary.not_found.begin(), summary.not_found.end(), id) == summary.not_found.end()) {
          summary.not_found.push_back(id);
        }
      }
      return summary;
    });
  } catch (const std::exception& e) {
    *error = e.what();
    return std::nullopt;
  }
}

}  // namespace osh::admin
