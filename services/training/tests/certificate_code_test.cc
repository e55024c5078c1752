// Verification codes: what they encode, and that nothing but the key makes one.
#include <gtest/gtest.h>

#include "certificate_code.h"

namespace osh::training {
namespace {

std::unique_ptr<CertificateCodes> Codes(const std::string& key = "0123456789abcdef0123456789abcdef",
                                        const std::string& province = "44") {
  std::string error;
  auto codes = CertificateCodes::Create(key, province, &error);
  EXPECT_TRUE(codes) << error;
  return codes;
}

TEST(TrainingCertificateCodeTest, RoundTripsSerialsInGroupsOfFour) {
  const auto codes = Codes();
  for (int64_t serial : {int64_t{1}, int64_t{2}, int64_t{1000}, int64_t{1} << 40, INT64_MAX}) {
    const auto code = codes->CodeFor(serial);
    ASSERT_EQ(code.size(), 39u) << code;
    for (size_t i = 4; i < code.size(); i += 5) EXPECT_EQ(code[i], '-') << code;
    EXPECT_EQ(codes->Verify(code), serial) << code;
  }
  EXPECT_NE(codes->CodeFor(1), codes->CodeFor(2));
}

TEST(TrainingCertificateCodeTest, AnyChangedCharacterFails) {
  const auto codes = Codes();
  const auto code = codes->CodeFor(7);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  for (size_t i = 0; i < code.size(); ++i) {
    if (code[i] == '-') continue;
    for (char c : alphabet) {
      if (c == code[i]) continue;
      std::string forged = code;
      forged[i] = c;
      EXPECT_FALSE(codes->Verify(forged)) << forged;
    }
  }
}

TEST(TrainingCertificateCodeTest, KeyAndProvinceAreBoundIn) {
  const auto codes = Codes();
  EXPECT_FALSE(Codes("another key another key another key")->Verify(codes->CodeFor(3)));
  EXPECT_FALSE(Codes("0123456789abcdef0123456789abcdef", "32")->Verify(codes->CodeFor(3)));
  std::string error;
  EXPECT_FALSE(CertificateCodes::Create("short", "44", &error));
  EXPECT_NE(error.find("32 bytes"), std::string::npos);
}

TEST(TrainingCertificateCodeTest, NormalizeAcceptsCaseAndSeparatorsOnly) {
  EXPECT_EQ(CertificateCodes::Normalize("abcd-efgh ijkl-mnop-qrst-uvwx-yz23-4567"),
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
  EXPECT_FALSE(CertificateCodes::Normalize("ABCDEFGHIJKLMNOPQRSTUVWXYZ23456"));    // 31
  EXPECT_FALSE(CertificateCodes::Normalize("ABCDEFGHIJKLMNOPQRSTUVWXYZ2345678"));  // 33
  EXPECT_FALSE(CertificateCodes::Normalize("ABCDEFGHIJKLMNOPQRSTUVWXYZ234561"));   // 1 is not base32
  EXPECT_FALSE(CertificateCodes::Normalize(""));
  // Serial 0 is never issued.
  const auto codes = Codes();
  EXPECT_FALSE(codes->Verify("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"));
}

}  // namespace
}  // namespace osh::training
