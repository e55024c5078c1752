#include "osh/crypto/field_cipher.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "osh/auth/base64url.h"

namespace osh::crypto {
namespace {

std::unique_ptr<FieldCipher> Ring(const std::string& text) {
  std::string error;
  auto cipher = FieldCipher::FromKeyRing(text, &error);
  EXPECT_TRUE(cipher) << error;
  return cipher;
}

TEST(FieldCipherTest, SealsAndOpensInItsContext) {
  auto cipher = FieldCipher::ForTesting();
  const std::string sealed = cipher->Seal("张小明", "enrollment:1");
  EXPECT_EQ(sealed.find("张"), std::string::npos);
  EXPECT_EQ(sealed.rfind("v1.test.", 0), 0u);
  EXPECT_EQ(cipher->Open(sealed, "enrollment:1"), "张小明");
  // The same value in another record or field does not open.
  EXPECT_EQ(cipher->Open(sealed, "enrollment:2"), std::nullopt);
  EXPECT_EQ(cipher->Open("", "enrollment:1"), std::nullopt);
  EXPECT_EQ(cipher->Open(cipher->Seal("", "c"), "c"), "");
}

TEST(FieldCipherTest, EverySealIsFreshAndAnAlteredValueNeverOpens) {
  auto cipher = FieldCipher::ForTesting();
  const std::string a = cipher->Seal("13800000000", "phone");
  EXPECT_NE(a, cipher->Seal("13800000000", "phone"));  // random nonce: equal values do not look equal
  const std::string body = a.substr(std::string("v1.test.").size());
  auto raw = *auth::Base64UrlDecode(body);
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string flipped = raw;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    EXPECT_EQ(cipher->Open("v1.test." + auth::Base64UrlEncode(flipped), "phone"), std::nullopt) << "byte " << i;
  }
  EXPECT_EQ(cipher->Open("v2.test." + body, "phone"), std::nullopt);
  EXPECT_EQ(cipher->Open("v1.other." + body, "phone"), std::nullopt);
  EXPECT_EQ(FieldCipher::ForTesting()->Open(a, "phone"), std::nullopt);  // another key
}

TEST(FieldCipherTest, RotationSealsWithTheLastKeyAndOpensWithEvery) {
  const std::string old_line = FieldCipher::NewKeyLine("k2025");
  auto old_ring = Ring(old_line + "\n");
  const std::string sealed_before = old_ring->Seal("李四", "c");
  auto rotated = Ring("# rotated 2026-11\n" + old_line + "\n\n" + FieldCipher::NewKeyLine("k2026") + "\n");
  EXPECT_EQ(rotated->current_key_id(), "k2026");
  EXPECT_EQ(rotated->Open(sealed_before, "c"), "李四");
  EXPECT_TRUE(rotated->NeedsReseal(sealed_before));
  const std::string resealed = rotated->Seal(*rotated->Open(sealed_before, "c"), "c");
  EXPECT_FALSE(rotated->NeedsReseal(resealed));
  EXPECT_EQ(old_ring->Open(resealed, "c"), std::nullopt);  // the old ring does not know the new key
}

TEST(FieldCipherTest, MalformedRingsAreRefusedWithTheLine) {
  std::string error;
  EXPECT_FALSE(FieldCipher::FromKeyRing("", &error));
  EXPECT_NE(error.find("no key"), std::string::npos);
  EXPECT_FALSE(FieldCipher::FromKeyRing("k1 " + auth::Base64UrlEncode("short") + "\n", &error));
  EXPECT_NE(error.find("line 1"), std::string::npos);
  const std::string line = FieldCipher::NewKeyLine("k1");
  EXPECT_FALSE(FieldCipher::FromKeyRing(line + "\n" + line + "\n", &error));
  EXPECT_NE(error.find("twice"), std::string::npos);
  EXPECT_FALSE(FieldCipher::FromKeyRing("bad id! AAAA\n", &error));
  EXPECT_FALSE(FieldCipher::FromKeyRing(line + " extra\n", &error));
}

TEST(FieldCipherTest, ReadsTheRingFromAFileOrTheEnvironment) {
  const auto path = std::filesystem::temp_directory_path() / ("osh-ring-" + std::to_string(::getpid()));
  std::ofstream(path) << FieldCipher::NewKeyLine("file-key") << "\n";
  std::string error;
  auto from_file = FieldCipher::FromKeyFile(path.string(), &error);
  ASSERT_TRUE(from_file) << error;
  EXPECT_EQ(from_file->current_key_id(), "file-key");
  std::filesystem::remove(path);
  EXPECT_FALSE(FieldCipher::FromKeyFile(path.string(), &error));
  ::setenv("OSH_TEST_FIELD_KEYS", FieldCipher::NewKeyLine("env-key").c_str(), 1);
  auto from_env = FieldCipher::FromSecret("", "OSH_TEST_FIELD_KEYS", &error);
  ASSERT_TRUE(from_env) << error;
  EXPECT_EQ(from_env->current_key_id(), "env-key");
}

TEST(MaskNameTest, KeepsOnlyTheEnds) {
  EXPECT_EQ(MaskName("张小明"), "张*明");
  EXPECT_EQ(MaskName("欧阳小明"), "欧**明");
  EXPECT_EQ(MaskName("张三"), "张*");
  EXPECT_EQ(MaskName("王"), "*");
  EXPECT_EQ(MaskName(""), "*");
  EXPECT_EQ(MaskName("Wang Fang"), "W*******g");
  EXPECT_EQ(MaskName("\xff\xfe"), "*");
}

}  // namespace
}  // namespace osh::crypto
