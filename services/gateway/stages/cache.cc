// cache: cache-aside of cacheable GET answers in Redis, per caller.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>
#include <openssl/evp.h>

#include "osh/cache/response_cache.h"
#include "stages.h"

namespace osh::gateway::stages {
namespace {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

constexpr const char* kLookups = "osh_gateway_cache_requests_total";
constexpr const char* kLookupsHelp = "Cacheable GETs by outcome";

}  // namespace

std::string CacheKey(const Route& route, const std::optional<auth::Principal>& principal,
                     const google::protobuf::Message& grpc_request) {
  std::string material = route.grpc_path;
  material += '\n';
  if (principal) {
    material += principal->subject + '\n' + std::string(auth::RoleName(principal->role)) + '\n' +
                principal->province + '\n' + principal->org + '\n';
  } else {
    material += "anonymous\n";
  }
  std::string serialized;
  {
    google::protobuf::io::StringOutputStream out(&serialized);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    grpc_request.SerializeToCodedStream(&coded);
  }
  material += serialized;
  return Sha256Hex(material);
}

Cache::Cache(cache::ResponseCache* cache, core::MetricsRegistry& metrics)
    : cache_(cache),
      hits_(metrics.GetCounter(kLookups, kLookupsHelp, {{"result", "hit"}})),
      misses_(metrics.GetCounter(kLookups, kLookupsHelp, {{"result", "miss"}})),
      unavailable_(metrics.GetCounter(kLookups, kLookupsHelp, {{"result", "unavailable"}})) {}

Answer Cache::Lookup(const Route& route, const std::optional<auth::Principal>& principal,
                     const google::protobuf::Message& grpc_request, Ticket* ticket) {
  *ticket = {};
  if (!route.cacheable() || cache_ == nullptr) return std::nullopt;
  const std::string key = CacheKey(route, principal, grpc_request);
  auto cached = cache_->Lookup(route.service, key);
  switch (cached.status) {
    case cache::CacheLookup::Status::kHit: {
      hits_.Inc();
      HttpResponse r;
      r.headers.emplace_back("content-type", "application/json");
      r.body = std::move(cached.body);
      return r;
    }
    case cache::CacheLookup::Status::kMiss:
      misses_.Inc();
      *ticket = {key, cached.generation};
      return std::nullopt;
    case cache::CacheLookup::Status::kUnavailable:
      unavailable_.Inc();  // Redis is away: do not try to store either
      return std::nullopt;
  }
  return std::nullopt;
}

void Cache::Keep(const Route& route, const Ticket& ticket, const std::string& body) {
  if (ticket.key.empty() || cache_ == nullptr) return;
  cache_->Store(route.service, ticket.key, body, std::chrono::seconds(route.cache_ttl_seconds), ticket.generation);
}

void Cache::Invalidate(const std::string& service) {
  if (cache_ != nullptr) cache_->Invalidate(service);
}

const char* Cache::BackendState(const Route& route) const {
  if (!route.cacheable()) return nullptr;
  return cache_ != nullptr ? "miss" : "off";
}

}  // namespace osh::gateway::stages
