#include <gtest/gtest.h>

#include "client_address.h"

namespace osh::gateway {
namespace {

TEST(ClientAddress, TheSocketPeerUnlessProxiesAreTrusted) {
  const std::string chain = "203.0.113.9";
  EXPECT_EQ(ClientAddress("10.0.0.5", nullptr, 0), "10.0.0.5");
  EXPECT_EQ(ClientAddress("10.0.0.5", &chain, 0), "10.0.0.5");  // untrusted header ignored
  EXPECT_EQ(ClientAddress("10.0.0.5", &chain, 1), "203.0.113.9");
  EXPECT_EQ(ClientAddress("10.0.0.5", nullptr, 1), "10.0.0.5");
}

TEST(ClientAddress, ASpoofedLeftmostEntryIsNotBelieved) {
  // The client sent "1.2.3.4" itself; the one trusted balancer appended the real address.
  const std::string chain = "1.2.3.4, 198.51.100.7";
  EXPECT_EQ(ClientAddress("10.0.0.5", &chain, 1), "198.51.100.7");
  // Two trusted hops (CDN, then the ingress).
  const std::string two = " 1.2.3.4 ,198.51.100.7,  172.16.0.2 ";
  EXPECT_EQ(ClientAddress("10.0.0.5", &two, 2), "198.51.100.7");
  // More hops configured than entries: the first one.
  EXPECT_EQ(ClientAddress("10.0.0.5", &chain, 5), "1.2.3.4");
}

TEST(ForwardedFor, AppendsThePeer) {
  const std::string chain = "203.0.113.9";
  EXPECT_EQ(ForwardedFor("10.0.0.5", nullptr), "10.0.0.5");
  EXPECT_EQ(ForwardedFor("10.0.0.5", &chain), "203.0.113.9, 10.0.0.5");
}

}  // namespace
}  // namespace osh::gateway
