#pragma once

// For tests only: a fresh directory per test for SQLite files and the like,
// removed again when the test is done.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace osh::store::testing {

class ScratchDir {
 public:
  // <tmp>/osh-<prefix>-<pid>-<test name>, emptied first so earlier runs never leak in.
  explicit ScratchDir(const std::string& prefix)
      : path_(std::filesystem::temp_directory_path() /
              ("osh-" + prefix + "-" + std::to_string(::getpid()) + "-" + CurrentTestName())) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  static std::string CurrentTestName() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    if (info == nullptr) return "outside-a-test";
    std::string name = std::string(info->test_suite_name()) + "." + info->name();
    for (char& c : name) {
      if (c == '/') c = '_';  // parameterised test names
    }
    return name;
  }

  std::filesystem::path path_;
};

}  // namespace osh::store::testing
