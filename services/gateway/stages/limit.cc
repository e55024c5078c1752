// limit: the rate limit per caller, in Redis with a local fallback.
#include <algorithm>

#include "stages.h"

namespace osh::gateway::stages {

RateLimit::RateLimit(Decide decide, core::MetricsRegistry& metrics)
    : decide_(std::move(decide)),
      limited_redis_(metrics.GetCounter("osh_gateway_rate_limited_total", "Requests refused by the rate limit",
                                        {{"limiter", "redis"}})),
      limited_local_(metrics.GetCounter("osh_gateway_rate_limited_total", "Requests refused by the rate limit",
                                        {{"limiter", "local"}})),
      local_decisions_(metrics.GetCounter("osh_gateway_rate_limit_local_decisions_total",
                                          "Rate-limit decisions taken by the local fallback (Redis unavailable)")) {}

Answer RateLimit::Check(const std::optional<auth::Principal>& principal, const std::string& client_address) {
  if (!decide_) return std::nullopt;
  const auto decision = decide_(principal ? "sub:" + principal->subject : "ip:" + client_address);
  if (!decision.from_redis) local_decisions_.Inc();
  if (decision.allowed) return std::nullopt;
  (decision.from_redis ? limited_redis_ : limited_local_).Inc();
  auto r = ErrorResponse(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "rate limit exceeded; retry later"));
  const auto retry_s = std::max<int64_t>(1, (decision.retry_after.count() + 999) / 1000);
  r.headers.emplace_back("retry-after", std::to_string(retry_s));
  return r;
}

}  // namespace osh::gateway::stages
