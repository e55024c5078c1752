#pragma once

// The route table of the platform's real protos, shared by the gateway's unit tests.
#include <gtest/gtest.h>

#include "route_table.h"

namespace osh::gateway::testing {

inline const RouteTable& PlatformRoutes() {
  static const RouteTable table = [] {
    std::string error;
    auto t = RouteTable::FromServices({"osh.registry.v1.RegistryService", "osh.reporting.v1.ReportingService"}, &error);
    EXPECT_TRUE(t) << error;
    return *t;
  }();
  return table;
}

}  // namespace osh::gateway::testing
