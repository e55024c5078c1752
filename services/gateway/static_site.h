#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http_errors.h"

namespace osh::gateway {

// The web console's built files (web/dist), read into memory once at start and
// served at `/` beside the API:
// - `/assets/…` (Vite's content-hashed names) cached for a year, immutable;
//   everything else (index.html first) `no-cache`, so a new build shows at once;
// - a path without a file extension that is no file (a page of the single-page
//   app, /library/42) answers index.html; a missing file with one is a 404;
// - every answer carries a strict Content-Security-Policy (scripts and
//   everything else only from this origin, no inline script) and nosniff;
// - a `.gz` twin written by the build is sent to clients that accept gzip.
// Nothing outside the root can be named: only the files found under it at
// start are served, and a path with a `.`/`..` segment, a backslash or a NUL
// is refused with 400 before any lookup.
class StaticSite {
 public:
  struct Options {
    std::string root;
    // Origins beside 'self' the console may call (the OpenID Connect provider's
    // token endpoint), added to connect-src.
    std::string extra_connect_src;
    // The most bytes read into memory; a larger tree fails the start.
    uint64_t max_total_bytes = 64ull << 20;
  };

  // Null with *error set when the root is missing, has no index.html or is too large.
  static std::unique_ptr<StaticSite> Load(const Options& options, std::string* error);

  // Whether `path` (raw, percent-encoded) is the site's rather than the API's:
  // anything but /v1/… and /openapi.json.
  static bool Owns(std::string_view path);

  // The answer to a GET of `path`; `accept_encoding` is the request's header or null.
  HttpResponse Serve(std::string_view path, const std::string* accept_encoding) const;

  const std::string& content_security_policy() const { return csp_; }

 private:
  struct File {
    std::string content_type;
    std::string body;
    std::string gzip_body;  // empty: no compressed twin
  };
  StaticSite() = default;
  HttpResponse Answer(const std::string& name, const File& file, const std::string* accept_encoding) const;
  HttpResponse Refusal(int status, std::string_view message) const;

  std::map<std::string, File, std::less<>> files_;  // by path below the root, "index.html", "assets/x.js"
  std::string csp_;
};

}  // namespace osh::gateway
