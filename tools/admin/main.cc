// osh-admin: what an operator runs against a province's data and event topics.
//
//   osh-admin dlq list    --topic T [--kafka-brokers B] [--json]
//   osh-admin dlq replay  --topic T [--kafka-brokers B] (--id CE_ID ... | --all) [--dry-run]
//   osh-admin outbox list   --db FILE [--json]
//   osh-admin outbox replay --db FILE (--id CE_ID ... | --all) [--dry-run]
//   osh-admin backup      (--data-dir D | --db FILE) --out DIR
//   osh-admin restore     --from DIR --data-dir D
//
// --kafka-brokers defaults to OSH_KAFKA_BROKERS, then 127.0.0.1:9092 (as the services).
// Exit status: 0 done, 1 failed (the message says why), 2 usage.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backup.h"
#include "dead_letters.h"
#include "parked_outbox.h"

namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  osh-admin dlq list    --topic T [--kafka-brokers B] [--json]\n"
    "  osh-admin dlq replay  --topic T [--kafka-brokers B] (--id CE_ID ... | --all) [--dry-run]\n"
    "  osh-admin outbox list   --db FILE [--json]\n"
    "  osh-admin outbox replay --db FILE (--id CE_ID ... | --all) [--dry-run]\n"
    "  osh-admin backup      (--data-dir D | --db FILE) --out DIR\n"
    "  osh-admin restore     --from DIR --data-dir D\n";

struct Args {
  std::map<std::string, std::string> values;
  std::vector<std::string> ids;  // --id, repeatable
  std::set<std::string> switches;
};

// Flags after the command words; false (with the reason printed) on anything unknown.
bool Parse(int argc, char** argv, int first, const std::set<std::string>& valued, const std::set<std::string>& flags,
           Args* args) {
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    if (flags.count(arg)) {
      args->switches.insert(arg);
    } else if (valued.count(arg) && i + 1 < argc) {
      if (arg == "--id") {
        args->ids.push_back(argv[++i]);
      } else {
        args->values[arg] = argv[++i];
      }
    } else {
      std::fprintf(stderr, "osh-admin: %s '%s'\n%s", valued.count(arg) ? "missing value for" : "unknown argument",
                   arg.c_str(), kUsage);
      return false;
    }
  }
  return true;
}

std::string Brokers(const Args& args) {
  if (auto it = args.values.find("--kafka-brokers"); it != args.values.end()) return it->second;
  const char* env = std::getenv("OSH_KAFKA_BROKERS");
  return env != nullptr && *env != '\0' ? env : "127.0.0.1:9092";
}

int Fail(const std::string& error) {
  std::fprintf(stderr, "osh-admin: %s\n", error.c_str());
  return 1;
}

int DlqList(const Args& args) {
  std::string error;
  auto letters = osh::admin::ListDeadLetters({.brokers = Brokers(args), .topic = args.values.at("--topic")}, &error);
  if (!letters) return Fail(error);
  const bool json = args.switches.count("--json") > 0;
  if (!json) {
    std::printf("%-12s %-36s %-40s %-24s %s\n", "DLT_OFFSET", "CE_ID", "ORIGINAL", "DEAD_LETTERED_AT", "ERROR");
  }
  for (const auto& d : *letters) {
    const std::string at = osh::admin::FormatUnixMillis(d.dead_lettered_at_ms);
    if (json) {
      const nlohmann::json line = {
          {"partition", d.partition},           {"offset", d.offset},
          {"original_topic", d.original_topic}, {"original_partition", d.original_partition},
          {"original_offset", d.original_offset}, {"ce_id", d.event.id},
          {"ce_source", d.event.source},        {"ce_type", d.event.type},
          {"ce_time", d.event.time},            {"key", d.event.key},
          {"error", d.error},                   {"dead_lettered_at", at},
          {"traceparent", d.event.traceparent}};
      std::printf("%s\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("%-12s %-36s %-40s %-24s %s\n", fmt::format("{}:{}", d.partition, d.offset).c_str(),
                  d.event.id.c_str(),
                  fmt::format("{}/{}@{}", d.original_topic, d.original_partition, d.original_offset).c_str(),
                  at.c_str(), d.error.c_str());
    }
  }
  if (!json) std::printf("%zu dead letter(s) in %s.dlt\n", letters->size(), args.values.at("--topic").c_str());
  return 0;
}

int DlqReplay(const Args& args) {
  const bool all = args.switches.count("--all") > 0;
  if (all == !args.ids.empty()) return Fail("replay needs either --id CE_ID (repeatable) or --all");
  const bool dry_run = args.switches.count("--dry-run") > 0;
  std::string error;
  auto summary = osh::admin::ReplayDeadLetters({.brokers = Brokers(args), .topic = args.values.at("--topic")},
                                               args.ids, dry_run, &error);
  if (!summary) return Fail(error);
  for (const auto& id : summary->replayed) std::printf("%s %s\n", dry_run ? "would replay" : "replayed", id.c_str());
  for (const auto& at : summary->malformed) {
    std::printf("skipped %s.dlt %s: no valid CloudEvents attributes\n", args.values.at("--topic").c_str(), at.c_str());
  }
  for (const auto& id : summary->not_found) std::printf("not a dead letter: %s\n", id.c_str());
  std::printf("%zu %s, %zu skipped, %zu not found\n", summary->replayed.size(), dry_run ? "to replay" : "replayed",
              summary->malformed.size(), summary->not_found.size());
  return summary->not_found.empty() ? 0 : 1;
}

// Unix seconds as "2026-12-03T13:45:12Z".
std::string FormatUnixSeconds(int64_t seconds) {
  const std::string ms = osh::admin::FormatUnixMillis(seconds * 1000);
  return ms.substr(0, ms.find('.')) + "Z";
}

int OutboxList(const Args& args) {
  std::string error;
  auto rows = osh::admin::ListParkedRows(args.values.at("--db"), &error);
  if (!rows) return Fail(error);
  const bool json = args.switches.count("--json") > 0;
  if (!json) std::printf("%-10s %-36s %-40s %-10s %-20s %s\n", "SEQ", "CE_ID", "TYPE", "BYTES", "PARKED_AT", "ERROR");
  for (const auto& r : *rows) {
    if (json) {
      const nlohmann::json line = {{"seq", r.seq},
                                   {"ce_id", r.event_id},
                                   {"ce_type", r.type},
                                   {"topic", r.topic},
                                   {"key", r.key},
                                   {"payload_bytes", r.payload_bytes},
                                   {"created_at", FormatUnixSeconds(r.created_at)},
                                   {"parked_at", FormatUnixSeconds(r.parked_at)},
                                   {"error", r.error}};
      std::printf("%s\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("%-10lld %-36s %-40s %-10lld %-20s %s\n", static_cast<long long>(r.seq), r.event_id.c_str(),
                  r.type.c_str(), static_cast<long long>(r.payload_bytes), FormatUnixSeconds(r.parked_at).c_str(),
                  r.error.c_str());
    }
  }
  if (!json) std::printf("%zu parked row(s) in %s\n", rows->size(), args.values.at("--db").c_str());
  return 0;
}

int OutboxReplay(const Args& args) {
  const bool all = args.switches.count("--all") > 0;
  if (all == !args.ids.empty()) return Fail("replay needs either --id CE_ID (repeatable) or --all");
  const bool dry_run = args.switches.count("--dry-run") > 0;
  std::string error;
  auto summary = osh::admin::RequeueParkedRows(args.values.at("--db"), args.ids, dry_run, &error);
  if (!summary) return Fail(error);
  for (const auto& id : summary->requeued) std::printf("%s %s\n", dry_run ? "would re-queue" : "re-queued", id.c_str());
  for (const auto& id : summary->not_found) std::printf("not a parked row: %s\n", id.c_str());
  std::printf("%zu %s, %zu not found; the service's relay publishes re-queued rows in its next round\n",
              summary->requeued.size(), dry_run ? "to re-queue" : "re-queued", summary->not_found.size());
  return summary->not_found.empty() ? 0 : 1;
}

int BackupCommand(const Args& args) {
  const bool has_dir = args.values.count("--data-dir") > 0, has_db = args.values.count("--db") > 0;
  if (has_dir == has_db || !args.values.count("--out")) return Fail("backup needs --data-dir D or --db FILE, and --out DIR");
  const auto databases = has_dir ? osh::admin::DatabasesIn(args.values.at("--data-dir"))
                                 : std::vector<std::filesystem::path>{args.values.at("--db")};
  std::string error;
  auto files = osh::admin::Backup(databases, args.values.at("--out"), &error);
  if (!files) return Fail(error);
  for (const auto& f : *files) {
    std::printf("backed up %s (%lld bytes, schema %lld, sha256 %s)\n", f.name.c_str(), static_cast<long long>(f.bytes),
                static_cast<long long>(f.schema_version), f.sha256.c_str());
  }
  return 0;
}

int RestoreCommand(const Args& args) {
  if (!args.values.count("--from") || !args.values.count("--data-dir")) return Fail("restore needs --from DIR and --data-dir D");
  std::string error;
  auto files = osh::admin::Restore(args.values.at("--from"), args.values.at("--data-dir"), &error);
  if (!files) return Fail(error);
  for (const auto& f : *files) {
    std::printf("restored %s (schema %lld) into %s\n", f.name.c_str(), static_cast<long long>(f.schema_version),
                args.values.at("--data-dir").c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  const std::string action = argc > 2 ? argv[2] : "";
  Args args;
  if (command == "dlq" && (action == "list" || action == "replay")) {
    if (!Parse(argc, argv, 3, {"--topic", "--kafka-brokers", "--id"}, {"--json", "--all", "--dry-run"}, &args)) return 2;
    if (!args.values.count("--topic")) return Fail("dlq " + action + " needs --topic (the event topic, without .dlt)");
    return action == "list" ? DlqList(args) : DlqReplay(args);
  }
  if (command == "outbox" && (action == "list" || action == "replay")) {
    if (!Parse(argc, argv, 3, {"--db", "--id"}, {"--json", "--all", "--dry-run"}, &args)) return 2;
    if (!args.values.count("--db")) return Fail("outbox " + action + " needs --db (the service's SQLite file)");
    return action == "list" ? OutboxList(args) : OutboxReplay(args);
  }
  if (command == "backup") {
    if (!Parse(argc, argv, 2, {"--data-dir", "--db", "--out"}, {}, &args)) return 2;
    return BackupCommand(args);
  }
  if (command == "restore") {
    if (!Parse(argc, argv, 2, {"--from", "--data-dir"}, {}, &args)) return 2;
    return RestoreCommand(args);
  }
  std::fprintf(stderr, "%s", kUsage);
  return 2;
}
