// Notifications through the real broker, in one process: events published by
// an outbox relay, consumed by the notify consumer (exactly-once routing),
// delivered to the in-app inbox and to a local webhook receiver by the
// dispatcher (signed POSTs over fresh loopback connections).
//  1. inbox throughput: N events already on the topic, then the consumer;
//     deliveries per second until all N are in inboxes;
//  2. webhook throughput: the same with a webhook rule; deliveries per second
//     until the receiver acknowledged all N;
//  3. end to end at a steady rate: event time (ce_time) to delivery, p50/p99,
//     per channel.
// Prints JSON lines (bench/README.md).
//
// Usage: osh-notify-bench <dir> <brokers> [events=5000] [rate=100] [seconds=10]
#include <google/protobuf/util/time_util.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <iostream>
#include <random>

#include "dispatcher.h"
#include "notify.h"
#include "notify_store.h"
#include "osh/auth/principal.h"
#include "osh/events/consumer.h"
#include "osh/events/outbox.h"
#include "osh/events/relay.h"
#include "osh/events/v1/registry_events.pb.h"
#include "tests/http_receiver.h"

namespace notify = osh::notify;
namespace v1 = osh::notify::v1;
using Clock = std::chrono::steady_clock;

namespace {

struct Bench {
  std::filesystem::path dir;
  std::string brokers;
  std::unique_ptr<osh::store::Database> producer_db;
  std::unique_ptr<osh::events::OutboxRelay> relay;
  std::unique_ptr<osh::store::Database> db;
  std::unique_ptr<notify::WebhookDispatcher> dispatcher;
  std::unique_ptr<notify::Notify> service;
  std::unique_ptr<osh::events::EventConsumer> consumer;
  std::unique_ptr<osh::crypto::FieldCipher> secrets = osh::crypto::FieldCipher::ForTesting();
  osh::auth::Principal admin{"bench-admin", osh::auth::Role::kProvinceAdmin, "44", ""};

  void Open(const std::string& name, int senders = notify::WebhookDispatcher::Options().senders) {
    consumer.reset();
    service.reset();
    dispatcher.reset();
    db.reset();
    relay.reset();
    producer_db.reset();
    producer_db = osh::store::Database::Open({.path = (dir / (name + "-producer.db")).string()},
                                             {osh::events::Outbox::Migration(1),
                                              osh::events::Outbox::ParkingMigration(2),
                                              osh::events::Outbox::TraceMigration(3)});
    relay = std::make_unique<osh::events::OutboxRelay>(*producer_db, osh::events::OutboxRelay::Options{.brokers = brokers},
                                                       nullptr);
    std::string error;
    if (!relay->Start(&error)) throw std::runtime_error(error);
    db = osh::store::Database::Open({.path = (dir / (name + ".db")).string()}, notify::NotifyStore::Migrations());
    notify::WebhookDispatcher::Options dispatch;
    dispatch.allow_private_webhooks = true;  // the receiver is on loopback
    dispatch.senders = senders;
    dispatcher = std::make_unique<notify::WebhookDispatcher>(*db, *secrets, dispatch, nullptr);
    dispatcher->Start();
    service = std::make_unique<notify::Notify>(*db, *secrets, notify::Notify::Options{.province = "44"});
  }

  std::string Template(v1::Channel channel, const std::string& body) {
    v1::CreateTemplateRequest req;
    auto* t = req.mutable_template_();
    t->set_name("bench");
    t->set_event_type("osh.events.v1.EnterpriseRegistered");
    t->set_channel(channel);
    t->set_locale("zh-CN");
    t->set_subject("{{name}} 已登记");
    t->set_body(body);
    v1::Template out;
    Check(service->CreateTemplate({&admin, "bench"}, req, &out));
    return out.id();
  }

  void Rule(const v1::Recipient& recipient, const std::string& inbox, const std::string& webhook) {
    v1::CreateRuleRequest req;
    auto* r = req.mutable_rule();
    r->set_name("bench");
    r->set_event_type("osh.events.v1.EnterpriseRegistered");
    *r->add_recipients() = recipient;
    r->set_inbox_template_id(inbox);
    r->set_webhook_template_id(webhook);
    v1::Rule out;
    Check(service->CreateRule({&admin, "bench"}, req, &out));
  }

  void StartConsumer(const std::string& topic) {
    osh::events::EventConsumer::Options o;
    o.brokers = brokers;
    o.group_id = "notify-bench-" + std::to_string(std::random_device{}());
    o.topics = {topic};
    o.after_commit = [this] { dispatcher->Notify(); };
    consumer = std::make_unique<osh::events::EventConsumer>(
        *db, o, [this](osh::store::Tx& tx, const osh::events::Event& e) { service->Route(tx, e); }, nullptr);
    std::string error;
    if (!consumer->Start(&error)) throw std::runtime_error(error);
  }

  void Publish(const std::string& topic, int i) {
    osh::events::v1::EnterpriseRegistered m;
    m.set_name("基准企业" + std::to_string(i));
    m.mutable_employer()->set_credit_code("91440101MA59UQXX1A");
    auto e = osh::events::MakeEvent(m, "44", "registry", "91440101MA59UQXX1A");
    e.topic = topic;
    producer_db->Write([&](osh::store::Tx& tx) { osh::events::Outbox::Append(tx, e); });
    relay->Notify();
  }

  // A count, not the records: polling must not slow down what it watches.
  int Count(v1::DeliveryStatus status) {
    return static_cast<int>(db->Read([&](osh::store::Tx& tx) {
      auto s = tx.Prepare("SELECT COUNT(*) FROM deliveries WHERE status = ?");
      s.Bind(1, static_cast<int>(status));
      s.Step();
      return s.Int(0);
    }));
  }

  std::vector<v1::Delivery> Deliveries(v1::DeliveryStatus status) {
    return db->Read([&](osh::store::Tx& tx) {
      return notify::NotifyStore::ListDeliveries(tx, status, "", "", 10000000);
    });
  }

  static void Check(const grpc::Status& s) {
    if (!s.ok()) throw std::runtime_error(s.error_message());
  }
};

void Print(nlohmann::json line) { std::cout << line.dump() << std::endl; }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

void WaitUntil(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto until = Clock::now() + limit;
  while (!done() && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

std::string Topic(const std::string& name) {
  return "osh.registry.events.notify-bench-" + name + "-" + std::to_string(std::random_device{}());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: osh-notify-bench <dir> <brokers> [events=5000] [rate=100] [seconds=10]\n";
    return 2;
  }
  Bench b{.dir = argv[1], .brokers = argv[2]};
  const int n = argc > 3 ? std::stoi(argv[3]) : 5000;
  const int rate = argc > 4 ? std::stoi(argv[4]) : 100;
  const int seconds = argc > 5 ? std::stoi(argv[5]) : 10;
  osh::notify::testing::HttpReceiver receiver;
  v1::Recipient organisation;
  organisation.set_event_organisation(true);
  v1::Recipient webhook;
  webhook.set_webhook_url(receiver.url());

  // 1. Inbox throughput (the clock starts with the consumer, so its group join counts).
  {
    b.Open("inbox");
    b.Rule(organisation, b.Template(v1::CHANNEL_INBOX, "{{employer.credit_code}}"), "");
    const auto topic = Topic("inbox");
    for (int i = 0; i < n; ++i) b.Publish(topic, i);
    WaitUntil([&] { return b.db && b.producer_db->Read([](osh::store::Tx& tx) {
                             return osh::events::Outbox::CountPending(tx);
                           }) == 0; },
              std::chrono::seconds(120));
    const auto start = Clock::now();
    b.StartConsumer(topic);
    WaitUntil([&] { return b.Count(v1::DELIVERY_STATUS_DELIVERED) >= n; }, std::chrono::seconds(300));
    const double s = Seconds(start);
    const auto done = b.Count(v1::DELIVERY_STATUS_DELIVERED);
    Print({{"bench", "notify.inbox_throughput"}, {"events", n}, {"delivered", done},
           {"seconds", std::round(s * 100) / 100}, {"per_second", std::round(static_cast<double>(done) / s)}});
  }
  // 2. Webhook throughput: one sender (deliveries one after another) and the default pool.
  for (const int senders : {1, notify::WebhookDispatcher::Options().senders}) {
    const std::string name = "webhook" + std::to_string(senders);
    b.Open(name, senders);
    b.Rule(webhook, "", b.Template(v1::CHANNEL_WEBHOOK, R"({"employer": "{{name}}"})"));
    const auto topic = Topic(name);
    for (int i = 0; i < n; ++i) b.Publish(topic, i);
    WaitUntil([&] { return b.producer_db->Read([](osh::store::Tx& tx) {
                             return osh::events::Outbox::CountPending(tx);
                           }) == 0; },
              std::chrono::seconds(120));
    const size_t before = receiver.requests().size();
    const auto start = Clock::now();
    b.StartConsumer(topic);
    WaitUntil([&] { return b.Count(v1::DELIVERY_STATUS_DELIVERED) >= n; }, std::chrono::seconds(600));
    const double s = Seconds(start);
    const auto done = b.Count(v1::DELIVERY_STATUS_DELIVERED);
    Print({{"bench", "notify.webhook_throughput"}, {"events", n}, {"delivered", done},
           {"received", receiver.requests().size() - before}, {"senders", senders}, {"seconds", std::round(s * 100) / 100},
           {"per_second", std::round(static_cast<double>(done) / s)}});
  }
  // 3. End to end at a steady rate, both channels.
  {
    b.Open("steady");
    b.Rule(organisation, b.Template(v1::CHANNEL_INBOX, "{{employer.credit_code}}"), "");
    b.Rule(webhook, "", b.Template(v1::CHANNEL_WEBHOOK, R"({"employer": "{{name}}"})"));
    const auto topic = Topic("steady");
    b.Publish(topic, -1);  // creates the topic before the consumer joins
    b.StartConsumer(topic);
    WaitUntil([&] { return b.Count(v1::DELIVERY_STATUS_DELIVERED) >= 2; }, std::chrono::seconds(60));
    const int total = rate * seconds;
    const auto start = Clock::now();
    for (int i = 0; i < total; ++i) {
      std::this_thread::sleep_until(start + std::chrono::microseconds(static_cast<int64_t>(1e6 * i / rate)));
      b.Publish(topic, i);
    }
    WaitUntil([&] { return b.Count(v1::DELIVERY_STATUS_DELIVERED) >= 2 * total + 2; }, std::chrono::seconds(120));
    std::map<int, std::vector<double>> latency;
    for (const auto& d : b.Deliveries(v1::DELIVERY_STATUS_DELIVERED)) {
      latency[d.channel()].push_back(static_cast<double>(
          google::protobuf::util::TimeUtil::TimestampToMilliseconds(d.delivered_time()) -
          google::protobuf::util::TimeUtil::TimestampToMilliseconds(d.event_time())));
    }
    for (const auto& [channel, ms] : latency) {
      Print({{"bench", "notify.event_to_delivery"}, {"channel", v1::Channel_Name(static_cast<v1::Channel>(channel))},
             {"rate_per_second", rate}, {"deliveries", ms.size()}, {"p50_ms", Percentile(ms, 0.5)},
             {"p99_ms", Percentile(ms, 0.99)}});
    }
  }
  b.consumer.reset();
  return 0;
}
