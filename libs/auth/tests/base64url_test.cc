#include "osh/auth/base64url.h"

#include <gtest/gtest.h>

#include <string>

namespace osh::auth {
namespace {

TEST(Base64Url, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},        {"f", "Zg"},         {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
      {"\xfb\xff", "-_8"},  // the two url-safe symbols
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    EXPECT_EQ(Base64UrlDecode(encoded), std::string(plain)) << encoded;
  }
}

TEST(Base64Url, RoundTripsEveryByteAndLength) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes.push_back(static_cast<char>(i));
    const auto decoded = Base64UrlDecode(Base64UrlEncode(bytes));
    ASSERT_TRUE(decoded.has_value()) << i;
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(Base64Url, RejectsGarbage) {
  // padding, impossible length, standard-alphabet symbols, whitespace,
  // non-zero trailing bits
  for (const std::string_view text : {"Zg==", "Zm8=", "Zg=", "Z", "Zm9vY", "Zm9v+", "Zm9/",
                                      "Zm 9", "Zm9v\n", "Zh", "Zm9vYh", "Zm9vYmF"}) {
    EXPECT_FALSE(Base64UrlDecode(text).has_value()) << "'" << text << "'";
  }
  EXPECT_FALSE(Base64UrlDecode(std::string_view("Zm\0v", 4)).has_value());
}

}  // namespace
}  // namespace osh::auth
