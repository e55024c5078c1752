#include "osh/events/event.h"

#include <gtest/gtest.h>

#include <regex>

#include "osh/events/v1/registry_events.pb.h"

namespace osh::events {
namespace {

TEST(EventTest, MakeEventFillsCloudEventsAttributes) {
  osh::events::v1::EnterpriseRegistered payload;
  payload.mutable_employer()->set_credit_code("91350100M000100Y43");
  const auto now = std::chrono::system_clock::from_time_t(1795000000);  // 2026-11-18
  Event e = MakeEvent(payload, "44", "registry", "91350100M000100Y43", now);
  EXPECT_EQ(e.source, "osh://44/registry");
  EXPECT_EQ(e.type, "osh.events.v1.EnterpriseRegistered");
  EXPECT_EQ(e.topic, "osh.registry.events");
  EXPECT_EQ(e.key, "91350100M000100Y43");
  EXPECT_TRUE(std::regex_match(e.time, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"))) << e.time;
  EXPECT_EQ(e.id.size(), 36u);
  EXPECT_EQ(ValidateAttributes(e), "");
  EXPECT_EQ(e.Province(), "44");
  EXPECT_EQ(e.Service(), "registry");

  osh::events::v1::EnterpriseRegistered back;
  ASSERT_TRUE(Unpack(e, &back));
  EXPECT_EQ(back.employer().credit_code(), "91350100M000100Y43");
  osh::events::v1::DeclarationApproved other;
  EXPECT_FALSE(Unpack(e, &other));  // type mismatch
}

TEST(EventTest, SourcesParseStrictly) {
  std::string province, service;
  EXPECT_TRUE(ParseSource("osh://32/reporting", &province, &service));
  EXPECT_EQ(province, "32");
  EXPECT_EQ(service, "reporting");
  for (const char* bad : {"http://32/reporting", "osh://32", "osh:///x", "osh://32/", "osh://32/a/b", ""}) {
    EXPECT_FALSE(ParseSource(bad, nullptr, nullptr)) << bad;
  }
}

TEST(EventTest, MalformedAttributesAreNamed) {
  Event e = MakeEvent(osh::events::v1::EnterpriseRegistered(), "44", "registry", "k");
  Event no_id = e;
  no_id.id.clear();
  EXPECT_NE(ValidateAttributes(no_id).find("ce_id"), std::string::npos);
  Event bad_source = e;
  bad_source.source = "registry";
  EXPECT_NE(ValidateAttributes(bad_source).find("ce_source"), std::string::npos);
  Event bad_time = e;
  bad_time.time = "yesterday";
  EXPECT_NE(ValidateAttributes(bad_time).find("ce_time"), std::string::npos);
}

}  // namespace
}  // namespace osh::events
