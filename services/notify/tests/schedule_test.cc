// Schedule rules over real gRPC and a real store (SQLite, or PostgreSQL under
// the label postgres), with the clock in the test's hand: rectification
// deadlines and the annual report date become reminders N days before, sent
// once even across restarts, cancelled when the item closes, replanned when it
// reopens; stale reminders after downtime are skipped; low-priority mail is
// folded into one digest a day.
#include <nlohmann/json.hpp>

#include <map>

#include "notify_fixture.h"
#include "osh/domain/civil_date.h"
#include "reminders.h"

namespace osh::notify::testing {
namespace {

class ScheduleTest : public NotifyFixture {
 protected:
  void SetUp() override {
    SetNow("2026-11-25T02:00:00Z");  // 10:00 in Beijing
    NotifyFixture::SetUp();
  }

  // A schedule rule whose inbox notice is `subject` / `body` (the deadline template by default).
  v1::Rule ScheduleRule(v1::DeadlineKind kind, const std::vector<int>& days, const v1::Recipient& recipient,
                        const std::string& annual_date = "", const std::string& subject = "期限提醒：还有{{days_left}}天",
                        const std::string& body = "{{kind}} {{item_id}} 截止 {{deadline}}") {
    const auto t = MakeTemplate(v1::CHANNEL_INBOX, subject, body, kDeadlineReminderType);
    v1::CreateRuleRequest req;
    auto* r = req.mutable_rule();
    r->set_name("reminders");
    r->set_event_type(kDeadlineReminderType);
    r->set_category("deadline");
    *r->add_recipients() = recipient;
    r->set_inbox_template_id(t.id());
    r->mutable_schedule()->set_deadline(kind);
    for (int d : days) r->mutable_schedule()->add_days_before(d);
    r->mutable_schedule()->set_annual_date(annual_date);
    v1::Rule out;
    auto status = stub_->CreateRule(Ctx(admin_).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message() << FieldsOf(status);
    return out;
  }

  static events::Event Opened(const std::string& item, const std::string& deadline, bool reopened = false) {
    events::v1::RectificationOpened m;
    m.set_item_id(item);
    m.set_credit_code(kEmployerCode);
    m.set_province("44");
    m.set_deadline(deadline);
    m.set_reopened(reopened);
    return events::MakeEvent(m, "44", "registry", kEmployerCode);
  }

  static events::Event Closed(const std::string& item) {
    events::v1::RectificationClosed m;
    m.set_item_id(item);
    m.set_credit_code(kEmployerCode);
    m.set_province("44");
    return events::MakeEvent(m, "44", "registry", kEmployerCode);
  }

  std::vector<v1::Reminder> Reminders(v1::ReminderStatus status = v1::REMINDER_STATUS_UNSPECIFIED) {
    v1::ListRemindersRequest req;
    req.set_status(status);
    v1::ListRemindersResponse out;
    auto s = stub_->ListReminders(Ctx(admin_).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {out.reminders().begin(), out.reminders().end()};
  }

  static std::string Summary(const std::vector<v1::Reminder>& rs) {
    std::string out;
    for (const auto& r : rs) {
      out += r.deadline() + "-" + std::to_string(r.days_before()) + ":" + v1::ReminderStatus_Name(r.status()) + " ";
    }
    return out;
  }

  std::vector<std::string> InboxSubjects(const std::string& token) {
    std::vector<std::string> out;
    const auto inbox = Inbox(token);
    for (const auto& i : inbox.items()) out.push_back(i.subject());
    return out;
  }

  void Restart() {
    Stop();
    Start(false);
  }
};

TEST(ReminderTimesTest, DueAtTheSendHourInChinaDaysBefore) {
  const auto deadline = *domain::ParseCivilDate("2026-12-15");
  // 7 days before at 09:00 Beijing = 2026-12-08T01:00Z.
  EXPECT_EQ(ReminderDueTime(deadline, 7, 9),
            std::chrono::sys_days(std::chrono::year(2026) / 12 / 8) + std::chrono::hours(1));
  EXPECT_EQ(ReminderDueTime(deadline, 0, 0),
            std::chrono::sys_days(std::chrono::year(2026) / 12 / 14) + std::chrono::hours(16));
  EXPECT_TRUE(IsAnnualDate("--12-15"));
  EXPECT_FALSE(IsAnnualDate("--02-29"));
  EXPECT_FALSE(IsAnnualDate("--13-01"));
  EXPECT_FALSE(IsAnnualDate("12-15"));
  EXPECT_EQ(NextAnnualDate("--12-15", "2026-11-25"), "2026-12-15");
  EXPECT_EQ(NextAnnualDate("--12-15", "2026-12-15"), "2026-12-15");
  EXPECT_EQ(NextAnnualDate("--12-15", "2026-12-16"), "2027-12-15");
  EXPECT_EQ(NextAnnualDate("--01-31", "2026-12-31"), "2027-01-31");
}

TEST_F(ScheduleTest, RectificationRemindersComeBeforeTheDeadlineOnceAcrossRestarts) {
  ScheduleRule(v1::DEADLINE_KIND_RECTIFICATION, {30, 7, 1}, Organisation());
  Route(Opened("item-1", "2026-12-10"));
  // 30 days before was already past when the deadline became known.
  EXPECT_EQ(Summary(Reminders()), "2026-12-10-7:REMINDER_STATUS_SCHEDULED 2026-12-10-1:REMINDER_STATUS_SCHEDULED ");
  EXPECT_EQ(scheduler_->RunOnce().sent, 0);
  EXPECT_TRUE(InboxSubjects(employer_).empty());

  SetNow("2026-12-03T00:59:59Z");
  EXPECT_EQ(scheduler_->RunOnce().sent, 0);
  SetNow("2026-12-03T01:00:00Z");  // 09:00 Beijing, 7 days before
  Restart();
  EXPECT_EQ(scheduler_->RunOnce().sent, 1);
  EXPECT_EQ(scheduler_->RunOnce().sent, 0);
  Restart();
  EXPECT_EQ(scheduler_->RunOnce().sent, 0);
  ASSERT_EQ(InboxSubjects(employer_), std::vector<std::string>{"期限提醒：还有7天"});
  EXPECT_EQ(Inbox(employer_).items(0).body(), "rectification item-1 截止 2026-12-10");
  EXPECT_TRUE(InboxSubjects(other_employer_).empty());

  SetNow("2026-12-09T03:00:00Z");
  EXPECT_EQ(scheduler_->RunOnce().sent, 1);
  EXPECT_EQ(InboxSubjects(employer_), (std::vector<std::string>{"期限提醒：还有1天", "期限提醒：还有7天"}));
  EXPECT_EQ(Summary(Reminders(v1::REMINDER_STATUS_SENT)),
            "2026-12-10-7:REMINDER_STATUS_SENT 2026-12-10-1:REMINDER_STATUS_SENT ");
  // The same event again (a redelivery) plans nothing new.
  Route(Opened("item-1", "2026-12-10"));
  EXPECT_EQ(Reminders().size(), 2u);
}

TEST_F(ScheduleTest, ClosingCancelsAndReopeningReplans) {
  ScheduleRule(v1::DEADLINE_KIND_RECTIFICATION, {30, 7, 1}, Organisation());
  Route(Opened("item-2", "2026-12-10"));
  Route(Opened("item-2", "2026-12-31", /*reopened=*/true));
  const auto all = Reminders();
  EXPECT_EQ(Summary(all),
            "2026-12-31-30:REMINDER_STATUS_SCHEDULED 2026-12-10-7:REMINDER_STATUS_CANCELLED "
            "2026-12-10-1:REMINDER_STATUS_CANCELLED 2026-12-31-7:REMINDER_STATUS_SCHEDULED "
            "2026-12-31-1:REMINDER_STATUS_SCHEDULED ");
  EXPECT_EQ(all[1].reason(), "the item was reopened with deadline 2026-12-31");
  Route(Closed("item-2"));
  EXPECT_TRUE(Reminders(v1::REMINDER_STATUS_SCHEDULED).empty());
  SetNow("2026-12-30T02:00:00Z");
  EXPECT_EQ(scheduler_->RunOnce().sent, 0);
  EXPECT_TRUE(InboxSubjects(employer_).empty());
}

TEST_F(ScheduleTest, ACertificateIsRemindedBeforeItExpiresUnlessItIsRevoked) {
  ScheduleRule(v1::DEADLINE_KIND_CERTIFICATE_EXPIRY, {30}, Organisation(), "", "证书将于{{deadline}}到期",
               "{{course_title}} 还有{{days_left}}天到期，请参加复训");

  const auto issued = [](const std::string& id, const std::string& expiry) {
    events::v1::CertificateIssued m;
    m.set_certificate_id(id);
    m.set_course_id("course-1");
    m.set_course_title("职业卫生管理人员年度再培训");
    m.set_province("44");
    m.set_org(kEmployerCode);
    m.set_expiry_date(expiry);
    return events::MakeEvent(m, "44", "training", id);
  };
  Route(issued("cert-1", "2027-01-31"));
  Route(issued("cert-2", "2027-01-31"));
  Route(issued("cert-3", ""));  // a course without a validity period: nothing to remind of
  EXPECT_EQ(Summary(Reminders()),
            "2027-01-31-30:REMINDER_STATUS_SCHEDULED 2027-01-31-30:REMINDER_STATUS_SCHEDULED ");
  events::v1::CertificateRevoked revoked;
  revoked.set_certificate_id("cert-2");
  revoked.set_province("44");
  revoked.set_org(kEmployerCode);
  Route(events::MakeEvent(revoked, "44", "training", "cert-2"));
  EXPECT_EQ(Summary(Reminders(v1::REMINDER_STATUS_SCHEDULED)), "2027-01-31-30:REMINDER_STATUS_SCHEDULED ");

  SetNow("2027-01-01T01:00:00Z");  // 09:00 Beijing, 30 days before
  EXPECT_EQ(scheduler_->RunOnce().sent, 1);
  ASSERT_EQ(InboxSubjects(employer_), std::vector<std::string>{"证书将于2027-01-31到期"});
  EXPECT_EQ(Inbox(employer_).items(0).body(), "职业卫生管理人员年度再培训 还有30天到期，请参加复训");
  EXPECT_TRUE(InboxSubjects(other_employer_).empty());
}

TEST_F(ScheduleTest, AfterDowntimeOnlyTheLatestDueReminderIsSentAndNoneAfterTheDeadline) {
  ScheduleRule(v1::DEADLINE_KIND_RECTIFICATION, {7, 1}, Organisation());
  Route(Opened("item-3", "2026-12-10"));
  Route(Opened("item-4", "2026-12-05"));
  SetNow("2026-12-09T02:00:00Z");  // both of item-3's fell due; item-4's deadline has passed
  const auto pass = scheduler_->RunOnce();
  EXPECT_EQ(pass.sent, 1);
  EXPECT_EQ(pass.skipped, 3);
  EXPECT_EQ(InboxSubjects(employer_), std::vector<std::string>{"期限提醒：还有1天"});
  std::string reasons;
  for (const auto& r : Reminders(v1::REMINDER_STATUS_SKIPPED)) reasons += r.reason() + "|";
  // Soonest due first: item-4's 7-day, item-3's 7-day, item-4's 1-day.
  EXPECT_EQ(reasons,
            "the deadline passed before it could be sent|a reminder closer to the deadline is due too|"
            "the deadline passed before it could be sent|");
}

TEST_F(ScheduleTest, DisablingTheRuleCancelsWhatFallsDue) {
  const auto rule = ScheduleRule(v1::DEADLINE_KIND_RECTIFICATION, {7}, Organisation());
  Route(Opened("item-5", "2026-12-10"));
  v1::SetRuleEnabledRequest off;
  off.set_id(rule.id());
  off.set_version(rule.version());
  off.set_enabled(false);
  off.set_request_id("off-1");
  v1::Rule disabled;
  ASSERT_TRUE(stub_->SetRuleEnabled(Ctx(admin_).get(), off, &disabled).ok());
  SetNow("2026-12-03T02:00:00Z");
  EXPECT_EQ(scheduler_->RunOnce().cancelled, 1);
  EXPECT_TRUE(InboxSubjects(employer_).empty());
}

TEST_F(ScheduleTest, TheAnnualReportDateRemindsProvinceAdminsEveryYear) {
  ScheduleRule(v1::DEADLINE_KIND_ANNUAL_DATE, {30, 7, 1}, Role("province_admin"), "--12-15");
  // Planned when the rule is created: 30 days before 15 December has passed on 25 November.
  const auto planned = Reminders();
  EXPECT_EQ(Summary(planned), "2026-12-15-7:REMINDER_STATUS_SCHEDULED 2026-12-15-1:REMINDER_STATUS_SCHEDULED ");
  EXPECT_EQ(planned[0].reference(), "annual:2026-12-15");

  SetNow("2026-12-08T01:30:00Z");
  EXPECT_EQ(scheduler_->RunOnce().sent, 1);
  EXPECT_EQ(InboxSubjects(admin_), std::vector<std::string>{"期限提醒：还有7天"});
  EXPECT_EQ(Inbox(admin_).items(0).body(), "annual_date  截止 2026-12-15");
  EXPECT_TRUE(InboxSubjects(inspector_).empty());
  EXPECT_TRUE(InboxSubjects(employer_).empty());

  SetNow("2026-12-16T01:00:00Z");  // the date passed: next year's reminders are planned
  Restart();
  scheduler_->RunOnce();
  EXPECT_EQ(Summary(Reminders(v1::REMINDER_STATUS_SCHEDULED)),
            "2027-12-15-30:REMINDER_STATUS_SCHEDULED 2027-12-15-7:REMINDER_STATUS_SCHEDULED "
            "2027-12-15-1:REMINDER_STATUS_SCHEDULED ");
  // 2026's 1-day reminder fell due while nothing ran; by now the date itself has passed.
  EXPECT_EQ(Reminders(v1::REMINDER_STATUS_SKIPPED).size(), 1u);
}

TEST_F(ScheduleTest, SchedulesAreCheckedWhenTheRuleIsWritten) {
  const auto t = MakeTemplate(v1::CHANNEL_INBOX, "s", "b", kDeadlineReminderType);
  const auto attempt = [&](const std::function<void(v1::Rule&)>& edit) {
    v1::CreateRuleRequest req;
    auto* r = req.mutable_rule();
    r->set_name("bad");
    r->set_event_type(kDeadlineReminderType);
    *r->add_recipients() = Role("province_admin");
    r->set_inbox_template_id(t.id());
    r->mutable_schedule()->set_deadline(v1::DEADLINE_KIND_ANNUAL_DATE);
    r->mutable_schedule()->set_annual_date("--12-15");
    r->mutable_schedule()->add_days_before(7);
    edit(*r);
    v1::Rule out;
    const auto status = stub_->CreateRule(Ctx(admin_).get(), req, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    return FieldsOf(status);
  };
  const auto has = [](const std::string& fields, const std::string& field) {
    return fields.find(field + ":") != std::string::npos;
  };
  EXPECT_TRUE(has(attempt([](v1::Rule& r) { r.mutable_schedule()->set_annual_date("--02-29"); }),
                  "rule.schedule.annual_date"));
  EXPECT_TRUE(has(attempt([](v1::Rule& r) { r.mutable_schedule()->add_days_before(400); }),
                  "rule.schedule.days_before[1]"));
  EXPECT_TRUE(has(attempt([](v1::Rule& r) { r.mutable_schedule()->add_days_before(7); }),
                  "rule.schedule.days_before[1]"));
  EXPECT_TRUE(has(attempt([](v1::Rule& r) { r.mutable_schedule()->clear_days_before(); }),
                  "rule.schedule.days_before"));
  EXPECT_TRUE(has(attempt([](v1::Rule& r) { r.mutable_schedule()->set_deadline(v1::DEADLINE_KIND_UNSPECIFIED); }),
                  "rule.schedule.deadline"));
  EXPECT_TRUE(has(attempt([](v1::Rule& r) { *r.add_recipients() = Organisation(); }),
                  "rule.recipients[1].event_organisation"));
  EXPECT_TRUE(has(attempt([](v1::Rule& r) { r.clear_schedule(); }), "rule.schedule"));
  EXPECT_TRUE(has(attempt([](v1::Rule& r) { r.set_event_type("osh.events.v1.EnterpriseRegistered"); }),
                  "rule.event_type"));
  EXPECT_TRUE(has(attempt([](v1::Rule& r) {
                    r.set_digest(true);
                    r.set_legally_required(true);
                  }),
                  "rule.digest"));
  EXPECT_TRUE(Reminders().empty());  // nothing planned by a refused rule
}

class DigestTest : public ScheduleTest {
 protected:
  void SetUp() override {
    email_enabled_ = true;
    SetNow("2026-11-25T02:00:00Z");
    NotifyFixture::SetUp();
    Restart();  // without the dispatcher: these tests look at what waits to be sent
  }

  v1::Rule MailRule(bool digest) {
    v1::CreateTemplateRequest treq;
    auto* t = treq.mutable_template_();
    t->set_name("mail");
    t->set_event_type("osh.events.v1.EnterpriseRegistered");
    t->set_channel(v1::CHANNEL_EMAIL);
    t->set_locale("zh-CN");
    t->set_subject("新登记：{{name}}");
    t->set_body("统一社会信用代码 {{employer.credit_code}}");
    v1::Template mail;
    EXPECT_TRUE(stub_->CreateTemplate(Ctx(admin_).get(), treq, &mail).ok());
    v1::CreateRuleRequest req;
    auto* r = req.mutable_rule();
    r->set_name(digest ? "low priority" : "at once");
    r->set_event_type("osh.events.v1.EnterpriseRegistered");
    v1::Recipient office;
    office.set_email(digest ? "office@example.cn" : "duty@example.cn");
    *r->add_recipients() = office;
    r->set_email_template_id(mail.id());
    r->set_digest(digest);
    v1::Rule out;
    auto status = stub_->CreateRule(Ctx(admin_).get(), req, &out);
    EXPECT_TRUE(status.ok()) << status.error_message() << FieldsOf(status);
    return out;
  }

  std::vector<DueDelivery> Pending() {
    return db_->Read([&](store::Tx& tx) {
      return NotifyStore::DueDeliveries(tx, std::numeric_limits<int64_t>::max(), 100);
    });
  }

  std::map<v1::DeliveryStatus, int> CountByStatus() {
    v1::ListDeliveriesResponse out;
    EXPECT_TRUE(stub_->ListDeliveries(Ctx(admin_).get(), v1::ListDeliveriesRequest(), &out).ok());
    std::map<v1::DeliveryStatus, int> counts;
    for (const auto& d : out.deliveries()) counts[d.status()]++;
    return counts;
  }
};

TEST_F(DigestTest, LowPriorityMailGoesOutAsOneDigestADay) {
  MailRule(true);
  MailRule(false);
  Route(Registered("甲厂", "44", "91440101MA59UQXX1A"));
  Route(Registered("乙厂", "44", "91440300MA5FXXXX0X"));
  // The urgent rule's two mails wait for the dispatcher; the digest rule's two wait for 08:00.
  EXPECT_EQ(Pending().size(), 2u);
  EXPECT_EQ(CountByStatus()[v1::DELIVERY_STATUS_IN_DIGEST], 2);

  SetNow("2026-11-25T23:59:00Z");  // 07:59 in Beijing on the 26th
  EXPECT_EQ(scheduler_->RunOnce().digests, 0);
  SetNow("2026-11-26T00:00:00Z");  // 08:00
  EXPECT_EQ(scheduler_->RunOnce().digests, 1);
  Restart();
  EXPECT_EQ(scheduler_->RunOnce().digests, 0);  // once a day, also across a restart

  const auto pending = Pending();
  ASSERT_EQ(pending.size(), 3u);
  const auto& digest = *std::find_if(pending.begin(), pending.end(),
                                     [](const DueDelivery& d) { return d.delivery.event_type() == "digest"; });
  EXPECT_EQ(digest.delivery.recipient(), "office@example.cn");
  const auto mail = nlohmann::json::parse(digest.payload);
  EXPECT_EQ(mail["subject"], "通知摘要 Notice digest 2026-11-26（2）");
  const std::string body = mail["body"];
  EXPECT_NE(body.find("1. 新登记：甲厂\n统一社会信用代码 91440101MA59UQXX1A"), std::string::npos) << body;
  EXPECT_NE(body.find("2. 新登记：乙厂"), std::string::npos) << body;
  auto counts = CountByStatus();
  EXPECT_EQ(counts[v1::DELIVERY_STATUS_DIGESTED], 2);
  EXPECT_EQ(counts[v1::DELIVERY_STATUS_IN_DIGEST], 0);

  // Later that day: it waits for tomorrow's digest.
  Route(Registered("丙厂", "44", "91440101MA59UQXX1A"));
  SetNow("2026-11-26T10:00:00Z");
  EXPECT_EQ(scheduler_->RunOnce().digests, 0);
  SetNow("2026-11-27T00:30:00Z");
  EXPECT_EQ(scheduler_->RunOnce().digests, 1);
  EXPECT_EQ(CountByStatus()[v1::DELIVERY_STATUS_DIGESTED], 3);
}

// Digests list mail in the order things happened and, for events of the same
// time, in the order the mail was made, which the store keeps itself: ids
// (UUIDv7, from the clock) sort the other way when the clock steps back.
TEST_F(DigestTest, ADigestListsMailOfOneMomentInTheOrderItWasMadeEvenAfterTheClockSteppedBack) {
  MailRule(true);
  const auto first = Registered("甲厂", "44", "91440101MA59UQXX1A");
  auto second = Registered("乙厂", "44", "91440300MA5FXXXX0X");
  second.time = first.time;
  Route(first);
  SetNow("2026-11-25T01:00:00Z");  // the clock steps back an hour
  Route(second);
  ASSERT_EQ(CountByStatus()[v1::DELIVERY_STATUS_IN_DIGEST], 2);

  SetNow("2026-11-26T00:00:00Z");  // 08:00 in Beijing
  ASSERT_EQ(scheduler_->RunOnce().digests, 1);
  const auto pending = Pending();
  ASSERT_EQ(pending.size(), 1u);
  const std::string body = nlohmann::json::parse(pending[0].payload)["body"];
  EXPECT_NE(body.find("1. 新登记：甲厂"), std::string::npos) << body;
  EXPECT_NE(body.find("2. 新登记：乙厂"), std::string::npos) << body;
}

// Mail waiting for a digest when the store gains its order column (migration
// 9) keeps its place: on SQLite the order it was made in (the rowid), on
// PostgreSQL, which has no such thing, the order of its ids; what comes after
// the upgrade follows it.
TEST(DeliveryOrderMigrationTest, MailWaitingForADigestBeforeTheUpgradeKeepsItsPlaceAndNewMailFollows) {
  store::testing::ScratchDir dir("notify-order");
  store::testing::TestDatabase database(dir.File("notify.db"));
  auto before_upgrade = NotifyStore::Migrations();
  before_upgrade.resize(8);
  ASSERT_EQ(before_upgrade.back().version, 8);
  const auto in_digest = [](const std::string& id) {
    v1::Delivery d;
    d.set_id(id);
    d.set_event_id("event-" + id);
    d.set_status(v1::DELIVERY_STATUS_IN_DIGEST);
    d.set_channel(v1::CHANNEL_EMAIL);
    return d;
  };
  {
    auto db = store::Database::Open(database.Options(), before_upgrade);
    db->Write([&](store::Tx& tx) {
      for (const std::string id : {"legacy-b", "legacy-a"}) {  // made in this order, ids the other way
        const auto d = in_digest(id);
        tx.Prepare("INSERT INTO deliveries(id, dedup_key, event_id, status, channel, next_attempt_ms, payload, record)"
                   " VALUES (?, ?, ?, ?, ?, 0, ?, ?)")
            .BindAll(d.id(), d.id(), d.event_id(), static_cast<int64_t>(d.status()), static_cast<int64_t>(d.channel()))
            .BindBlob(6, "{}")
            .BindBlob(7, d.SerializeAsString())
            .Run();
      }
    });
  }
  auto db = store::Database::Open(database.Options(), NotifyStore::Migrations());
  db->Write([&](store::Tx& tx) { ASSERT_TRUE(NotifyStore::InsertDelivery(tx, in_digest("after-upgrade"), "{}")); });
  std::vector<std::string> order;
  for (const auto& d : db->Read([](store::Tx& tx) { return NotifyStore::DeliveriesInDigest(tx, 10); })) {
    order.push_back(d.delivery.id());
  }
  const std::vector<std::string> expected =
      database.postgres() ? std::vector<std::string>{"legacy-a", "legacy-b", "after-upgrade"}
                          : std::vector<std::string>{"legacy-b", "legacy-a", "after-upgrade"};
  EXPECT_EQ(order, expected);
}

}  // namespace
}  // namespace osh::notify::testing
