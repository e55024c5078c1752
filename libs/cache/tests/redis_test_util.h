#pragma once

// For tests only: where the fixture's Redis is, per-test key prefixes on that shared
// server, free ports.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>

namespace osh::cache::testing {

// The ctest fixture `redis` (tests/redis) exports OSH_TEST_REDIS_ADDRESS.
inline std::string FixtureRedisAddress() {
  const char* a = std::getenv("OSH_TEST_REDIS_ADDRESS");
  return a != nullptr && *a != '\0' ? a : "127.0.0.1:16379";
}

// "osh:test:cache:<pid>:<suite.test>:<random>:" so that runs and tests never share keys.
inline std::string UniquePrefix() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "outside";
  std::random_device rd;
  return "osh:test:cache:" + std::to_string(::getpid()) + ":" + name + ":" + std::to_string(rd()) + ":";
}

// A loopback port that was free a moment ago (bound to port 0, then closed).
inline int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace osh::cache::testing
