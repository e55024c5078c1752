#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <string>

#include "osh/auth/jwt.h"

namespace osh::auth {
namespace {

constexpr char kEnvVar[] = "OSH_AUTH_TEST_SECRET";

struct SecretCase {
  std::string name;
  std::optional<std::string> file_content;  // nullopt: no file argument
  bool file_exists;
  std::optional<std::string> env_value;  // nullopt: variable unset
  std::string expected_secret;
  std::string expected_error;  // "{path}" stands for the file path
};

// Failure messages name the case instead of dumping its bytes.
void PrintTo(const SecretCase& c, std::ostream* os) { *os << c.name; }

class LoadSecretTest : public ::testing::TestWithParam<SecretCase> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("osh-auth-test-" + std::to_string(getpid()) + "-" + GetParam().name);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    unsetenv(kEnvVar);
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

TEST_P(LoadSecretTest, Loads) {
  const SecretCase& c = GetParam();
  std::string path;
  if (c.file_content) {
    path = (dir_ / "jwt.secret").string();
    if (c.file_exists) std::ofstream(path, std::ios::binary) << *c.file_content;
  }
  if (c.env_value) {
    setenv(kEnvVar, c.env_value->c_str(), 1);
  } else {
    unsetenv(kEnvVar);
  }
  std::string error;
  const std::string secret = LoadSecret(path, kEnvVar, &error);
  std::string expected_error = c.expected_error;
  if (const size_t at = expected_error.find("{path}"); at != std::string::npos) {
    expected_error.replace(at, 6, path);
  }
  EXPECT_EQ(secret, c.expected_secret);
  EXPECT_EQ(error, expected_error);
}

INSTANTIATE_TEST_SUITE_P(
    LoadSecret, LoadSecretTest,
    ::testing::Values(
        SecretCase{"FileWithNewline", "s3cret\n", true, std::nullopt, "s3cret", ""},
        SecretCase{"FileWithCrLf", "s3cret\r\n", true, std::nullopt, "s3cret", ""},
        SecretCase{"FileWithoutNewline", "s3cret", true, std::nullopt, "s3cret", ""},
        SecretCase{"FileStripsOnlyOneNewline", "s3cret\n\n", true, std::nullopt, "s3cret\n", ""},
        SecretCase{"FileKeepsInnerBytes", std::string("a b\0c\n", 6), true, std::nullopt,
                   std::string("a b\0c", 5), ""},
        SecretCase{"FilePreferredOverEnv", "from-file\n", true, "from-env", "from-file", ""},
        SecretCase{"EmptyFile", "\n", true, "from-env", "", "secret file '{path}' is empty"},
        SecretCase{"MissingFile", "", false, "from-env", "",
                   "cannot read secret file '{path}'"},
        SecretCase{"EnvWhenNoFile", std::nullopt, false, "from-env", "from-env", ""},
        SecretCase{"EnvUnset", std::nullopt, false, std::nullopt, "",
                   "no secret: no secret file given and environment variable "
                   "OSH_AUTH_TEST_SECRET is not set"},
        SecretCase{"EnvEmpty", std::nullopt, false, "", "",
                   "no secret: no secret file given and environment variable "
                   "OSH_AUTH_TEST_SECRET is not set"}),
    [](const ::testing::TestParamInfo<SecretCase>& param_info) { return param_info.param.name; });

TEST(LoadSecret, NoSourceNamed) {
  std::string error;
  EXPECT_EQ(LoadSecret("", "", &error), "");
  EXPECT_EQ(error, "no secret: neither a secret file nor an environment variable is named");
}

}  // namespace
}  // namespace osh::auth
