// osh-outbox-bench: how fast committed events move from a service's outbox to
// Kafka through OutboxRelay (idempotent producer, acks=all, a row marked sent
// only after its delivery report).
//
//   osh-outbox-bench --brokers 127.0.0.1:9092 --events 100000 --db /tmp/x.db [--payload-out FILE]
//
// Fills the outbox with registry-shaped EnterpriseRegistered events (not timed),
// then times the relay draining it. --payload-out writes one same-sized payload
// per line for a kcat -P comparison. Prints one JSON line.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "../loadgen/synthetic.h"
#include "osh/events/event.h"
#include "osh/events/outbox.h"
#include "osh/events/relay.h"
#include "osh/events/v1/registry_events.pb.h"

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags = {{"brokers", "127.0.0.1:9092"}, {"events", "100000"}, {"db", ""},
                                              {"payload-out", ""}, {"topic", "osh.bench.events"}};
  for (int i = 1; i + 1 < argc; i += 2) flags[std::string(argv[i]).substr(2)] = argv[i + 1];
  if (flags["db"].empty()) {
    std::cerr << "usage: osh-outbox-bench --brokers B --events N --db FILE [--payload-out FILE] [--topic T]\n";
    return 2;
  }
  const long n = std::stol(flags["events"]);
  std::filesystem::remove(flags["db"]);
  auto db = osh::store::Database::Open(
      {.path = flags["db"]}, {osh::events::Outbox::Migration(1), osh::events::Outbox::ParkingMigration(2),
                             osh::events::Outbox::TraceMigration(3)});

  osh::bench::SyntheticRegistry synthetic("44");
  size_t payload_bytes = 0;
  const long per_tx = 1000;
  for (long start = 0; start < n; start += per_tx) {
    db->Write([&](osh::store::Tx& tx) {
      for (long i = start; i < std::min(n, start + per_tx); ++i) {
        const auto employer = synthetic.Employer(static_cast<uint64_t>(i));
        osh::events::v1::EnterpriseRegistered m;
        auto* f = m.mutable_employer();
        f->set_employer_id("01a2" + std::to_string(i));
        f->set_credit_code(employer.credit_code());
        f->set_province("44");
        f->set_division_code(employer.division_code());
        f->set_industry_section(employer.industry_section());
        f->set_size_class(employer.size_class());
        f->set_total_workers(employer.total_workers());
        f->set_version(1);
        m.set_name(employer.name());
        auto e = osh::events::MakeEvent(m, "44", "registry", employer.credit_code());
        e.topic = flags["topic"];
        payload_bytes += e.payload.size();
        osh::events::Outbox::Append(tx, e);
      }
    });
  }
  const size_t average = n > 0 ? payload_bytes / static_cast<size_t>(n) : 0;
  if (!flags["payload-out"].empty()) {
    std::ofstream out(flags["payload-out"]);
    const std::string line(average, 'x');
    for (long i = 0; i < n; ++i) out << line << '\n';
  }

  osh::events::OutboxRelay relay(*db, {.brokers = flags["brokers"], .batch_size = 5000}, nullptr);
  std::string error;
  if (!relay.Start(&error)) {
    std::cerr << error << "\n";
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  relay.Notify();
  while (relay.published() < static_cast<uint64_t>(n)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  relay.Stop();
  std::cout << nlohmann::json{{"bench", "events.outbox_to_kafka"},
                              {"events", n},
                              {"payload_bytes_avg", average},
                              {"seconds", std::round(seconds * 1000) / 1000},
                              {"rate_per_s", std::round(static_cast<double>(n) / seconds)}}
                   .dump()
            << std::endl;
  return 0;
}
