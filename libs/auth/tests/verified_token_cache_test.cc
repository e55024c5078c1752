// The verified-token cache of TokenVerifier: a token is verified once and its
// principal kept until its expiry, with the clock injected through Verify's `now`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "osh/auth/jwt.h"
#include "token_test_util.h"

namespace osh::auth {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using namespace osh::auth::testutil;  // NOLINT(build/namespaces)
using std::chrono::seconds;

std::unique_ptr<TokenVerifier> MakeVerifier(size_t entries, seconds max_lifetime = seconds{0}) {
  VerifierConfig config;
  config.hs256_secret = std::string(kSecret);
  config.verified_token_cache_entries = entries;
  config.max_lifetime = max_lifetime;
  std::string error;
  auto verifier = TokenVerifier::Create(config, &error);
  EXPECT_NE(verifier, nullptr) << error;
  return verifier;
}

std::string TokenFor(const std::string& subject, long long exp = kNowSeconds + 3600) {
  json claims = ProvinceAdminClaims();
  claims["sub"] = subject;
  claims["exp"] = exp;
  return HsToken(claims);
}

TEST(VerifiedTokenCache, ASecondVerificationOfTheSameTokenIsAnsweredFromTheCacheWithTheSamePrincipal) {
  const auto verifier = MakeVerifier(16);
  const std::string token = TokenFor("alice");
  const auto first = verifier->Verify(token, kNow);
  const auto second = verifier->Verify(token, kNow + seconds{10});
  ASSERT_TRUE(first.ok()) << first.error;
  ASSERT_TRUE(second.ok()) << second.error;
  EXPECT_EQ(second.principal->subject, "alice");
  EXPECT_EQ(second.principal->role, Role::kProvinceAdmin);
  EXPECT_EQ(second.principal->province, "44");
  const auto stats = verifier->cache_stats();
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
}

TEST(VerifiedTokenCache, ACachedTokenStillExpiresAtExpPlusLeeway) {
  const auto verifier = MakeVerifier(16);
  const long long exp = kNowSeconds + 60;
  const std::string token = TokenFor("alice", exp);
  ASSERT_TRUE(verifier->Verify(token, kNow).ok());
  // The default leeway is 30 s: still valid just before exp + 30, refused at it.
  const std::chrono::system_clock::time_point exp_time{seconds{exp}};
  EXPECT_TRUE(verifier->Verify(token, exp_time + seconds{29}).ok());
  const auto expired = verifier->Verify(token, exp_time + seconds{30});
  EXPECT_FALSE(expired.ok());
  EXPECT_EQ(expired.error, "token expired");
  // The expired entry is gone rather than kept.
  EXPECT_EQ(verifier->cache_stats().entries, 0u);
}

TEST(VerifiedTokenCache, ACachedTokenIsRefusedAtATimeBeforeItsNotBefore) {
  const auto verifier = MakeVerifier(16);
  json claims = ProvinceAdminClaims();
  claims["nbf"] = kNowSeconds;
  const std::string token = HsToken(claims);
  ASSERT_TRUE(verifier->Verify(token, kNow).ok());
  const auto early = verifier->Verify(token, kNow - seconds{31});
  EXPECT_FALSE(early.ok());
  EXPECT_EQ(early.error, "token not yet valid");
}

TEST(VerifiedTokenCache, ACachedTokenIsRefusedBeforeItsIatWhenAMaximumLifetimeIsSet) {
  const auto verifier = MakeVerifier(16, seconds{7200});
  json claims = ProvinceAdminClaims();
  claims["iat"] = kNowSeconds;
  const std::string token = HsToken(claims);
  ASSERT_TRUE(verifier->Verify(token, kNow).ok());
  const auto early = verifier->Verify(token, kNow - seconds{31});
  EXPECT_FALSE(early.ok());
  EXPECT_EQ(early.error, "claim 'iat' is in the future");
}

TEST(VerifiedTokenCache, ADifferentTokenIsVerifiedAndGetsItsOwnPrincipal) {
  const auto verifier = MakeVerifier(16);
  const std::string alice = TokenFor("alice");
  ASSERT_TRUE(verifier->Verify(alice, kNow).ok());
  const auto bob = verifier->Verify(TokenFor("bob"), kNow);
  ASSERT_TRUE(bob.ok()) << bob.error;
  EXPECT_EQ(bob.principal->subject, "bob");
  // Alice's token with another signature (the last character changed) is not hers.
  std::string forged = alice;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  const auto refused = verifier->Verify(forged, kNow);
  EXPECT_FALSE(refused.ok());
  EXPECT_THAT(refused.error, HasSubstr("signature"));
  EXPECT_EQ(verifier->cache_stats().hits, 0u);
}

TEST(VerifiedTokenCache, OnlyTokensThatVerifiedAreKept) {
  const auto verifier = MakeVerifier(16);
  const std::string wrong_secret = HsToken(ProvinceAdminClaims(), "another-secret-0123456789abcdef-01234567");
  EXPECT_FALSE(verifier->Verify(wrong_secret, kNow).ok());
  EXPECT_FALSE(verifier->Verify(wrong_secret, kNow).ok());
  EXPECT_FALSE(verifier->Verify(TokenFor("late", kNowSeconds - 3600), kNow).ok());
  EXPECT_EQ(verifier->cache_stats().entries, 0u);
  EXPECT_EQ(verifier->cache_stats().hits, 0u);
}

TEST(VerifiedTokenCache, TheLeastRecentlyUsedTokenIsEvictedBeyondTheBound) {
  const auto verifier = MakeVerifier(2);
  const std::string a = TokenFor("a");
  const std::string b = TokenFor("b");
  const std::string c = TokenFor("c");
  ASSERT_TRUE(verifier->Verify(a, kNow).ok());
  ASSERT_TRUE(verifier->Verify(b, kNow).ok());
  ASSERT_TRUE(verifier->Verify(a, kNow).ok());  // a is now the most recently used
  ASSERT_TRUE(verifier->Verify(c, kNow).ok());  // evicts b
  EXPECT_EQ(verifier->cache_stats().entries, 2u);
  const auto hits_before = verifier->cache_stats().hits;
  ASSERT_TRUE(verifier->Verify(a, kNow).ok());
  ASSERT_TRUE(verifier->Verify(c, kNow).ok());
  EXPECT_EQ(verifier->cache_stats().hits, hits_before + 2);
  const auto misses_before = verifier->cache_stats().misses;
  const auto again = verifier->Verify(b, kNow);  // verified again, and still correct
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.principal->subject, "b");
  EXPECT_EQ(verifier->cache_stats().misses, misses_before + 1);
  EXPECT_EQ(verifier->cache_stats().entries, 2u);
}

TEST(VerifiedTokenCache, ZeroEntriesVerifiesEveryCall) {
  const auto verifier = MakeVerifier(0);
  const std::string token = TokenFor("alice");
  ASSERT_TRUE(verifier->Verify(token, kNow).ok());
  ASSERT_TRUE(verifier->Verify(token, kNow).ok());
  EXPECT_EQ(verifier->cache_stats().entries, 0u);
  EXPECT_EQ(verifier->cache_stats().hits, 0u);
}

TEST(VerifiedTokenCache, ThreadsVerifyingManyTokensAtOnceEachGetTheirOwnPrincipalAndTheBoundHolds) {
  const auto verifier = MakeVerifier(8);
  std::vector<std::string> tokens;
  for (int i = 0; i < 24; ++i) tokens.push_back(TokenFor("user-" + std::to_string(i)));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        const size_t i = static_cast<size_t>((round * 7 + t * 5) % 24);
        const auto result = verifier->Verify(tokens[i], kNow + seconds{round});
        if (!result.ok() || result.principal->subject != "user-" + std::to_string(i)) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  const auto stats = verifier->cache_stats();
  EXPECT_LE(stats.entries, 8u);
  EXPECT_EQ(stats.hits + stats.misses, 4u * 200u);
}

}  // namespace
}  // namespace osh::auth
