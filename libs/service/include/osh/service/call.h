#pragma once

// What every osh service's business layer shares: who is calling, how a call
// refuses, and how a call body is guarded so that nothing but a gRPC status
// leaves it. Business classes stay free of gRPC plumbing otherwise.

#include <grpcpp/support/status.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "osh/auth/authorize.h"
#include "osh/auth/principal.h"
#include "osh/core/errors.h"
#include "osh/core/log.h"
#include "osh/domain/text.h"
#include "osh/store/database.h"

namespace osh::service {

// The verified caller of one request (never anonymous where a service requires
// a token) and the request id the gRPC server assigned or received.
struct Caller {
  const auth::Principal* principal;
  std::string request_id;
};

// Thrown inside a call body, also from within a store transaction (which then
// rolls back), to answer with `status`.
struct Refusal {
  grpc::Status status;
};

[[noreturn]] inline void Refuse(grpc::StatusCode code, std::string message) {
  throw Refusal{grpc::Status(code, std::move(message))};
}

// A value from the request as an error message may repeat it: its first 64
// characters (whole UTF-8 characters), so a huge or hostile value stays small.
inline std::string Echo(std::string_view text) { return std::string(domain::Utf8Prefix(text, 64)); }

// NOT_FOUND "no <kind> with id '<id>'": the one answer for a record that is
// not there, or not there for this caller.
[[noreturn]] inline void RefuseNotFound(std::string_view kind, std::string_view id) {
  Refuse(grpc::StatusCode::NOT_FOUND, "no " + std::string(kind) + " with id '" + Echo(id) + "'");
}

// The record a lookup found, or NOT_FOUND "no <kind> with id '<id>'".
template <typename T>
T FoundOrRefuse(std::optional<T> found, std::string_view kind, std::string_view id) {
  if (!found) RefuseNotFound(kind, id);
  return std::move(*found);
}

// The record a lookup found when `may_see(record)` is true; otherwise the
// answer a missing record gets (NOT_FOUND "no <kind> with id '<id>'"), so a
// caller who may not see a record cannot learn whether it exists. Authorise
// first what needs no record (the caller's right to such records at all,
// refused with PERMISSION_DENIED whatever the id), then look up through this.
template <typename T, typename MaySee>
T VisibleOrRefuse(std::optional<T> found, std::string_view kind, std::string_view id, MaySee&& may_see) {
  if (!found || !may_see(static_cast<const T&>(*found))) RefuseNotFound(kind, id);
  return std::move(*found);
}

// The same with the access policy: visible when `principal` may `action` the
// record's `resource_of(record)`.
template <typename T, typename ResourceOf>
T AllowedOrRefuse(std::optional<T> found, std::string_view kind, std::string_view id,
                  const auth::Principal* principal, auth::Action action, ResourceOf&& resource_of) {
  return VisibleOrRefuse(std::move(found), kind, id, [&](const T& record) {
    return auth::Authorize(principal, action, resource_of(record)).allowed;
  });
}

inline void ThrowIfInvalid(const core::FieldErrors& errors) {
  if (!errors.empty()) throw Refusal{errors.ToStatus()};
}

// Optimistic concurrency: a write made from an older read of the record is
// ABORTED, so the client reads again instead of overwriting what it never saw.
inline void RequireVersion(std::string_view record_kind, const std::string& id, int64_t current, int64_t requested) {
  if (current != requested) {
    Refuse(grpc::StatusCode::ABORTED, std::string(record_kind) + " " + id + " is at version " + std::to_string(current) +
                                          ", the request was made from version " + std::to_string(requested) +
                                          "; read it again and retry");
  }
}

// Applies the one access policy; a refusal answers PERMISSION_DENIED with its reason.
inline void Require(const auth::Principal* principal, auth::Action action, const auth::Resource& resource) {
  auto decision = auth::Authorize(principal, action, resource);
  if (!decision.allowed) Refuse(grpc::StatusCode::PERMISSION_DENIED, decision.reason);
}

// Runs a call body: refusals become their status; a store that cannot write
// for now (disk full, I/O error, busy) becomes UNAVAILABLE, which clients and
// the gateway treat as retryable; other failures become INTERNAL. Neither
// lets the error's text (which may hold SQL or data) reach the caller: it is
// logged with the request id instead.
template <typename F>
grpc::Status Guard(const Caller& caller, const char* method, F&& body) {
  try {
    body();
    return grpc::Status::OK;
  } catch (const Refusal& r) {
    return r.status;
  } catch (const store::StoreError& e) {
    core::log::Error("call failed", {{"request_id", caller.request_id}, {"method", method}, {"error", e.what()}});
    if (e.IsTransient()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "the store cannot take this request now (disk full, I/O or busy); nothing was written; "
                          "retry later; request id " + caller.request_id);
    }
    return grpc::Status(grpc::StatusCode::INTERNAL, "internal error; request id " + caller.request_id);
  } catch (const std::exception& e) {
    core::log::Error("call failed", {{"request_id", caller.request_id}, {"method", method}, {"error", e.what()}});
    return grpc::Status(grpc::StatusCode::INTERNAL, "internal error; request id " + caller.request_id);
  }
}

}  // namespace osh::service
