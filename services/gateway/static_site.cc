#include "static_site.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace osh::gateway {
namespace {

namespace fs = std::filesystem;

std::string ContentTypeOf(const std::string& name) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},           {".svg", "image/svg+xml"},
      {".png", "image/png"},                   {".ico", "image/x-icon"},
      {".webp", "image/webp"},                 {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},   {".map", "application/json"},
  };
  const auto dot = name.rfind('.');
  if (dot != std::string::npos) {
    if (auto it = kTypes.find(std::string_view(name).substr(dot)); it != kTypes.end()) return it->second;
  }
  return "application/octet-stream";
}

bool ReadWhole(const fs::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = std::move(buffer).str();
  return static_cast<bool>(in) || in.eof();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The path's segments, percent-decoded; nullopt for a path that could name
// something outside the root or is not a plain name ("..", ".", "\", NUL, a
// broken escape), so that such a request is refused rather than looked up.
std::optional<std::vector<std::string>> SafeSegments(std::string_view raw) {
  std::string decoded;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      decoded.push_back(raw[i]);
      continue;
    }
    if (i + 2 >= raw.size() || HexValue(raw[i + 1]) < 0 || HexValue(raw[i + 2]) < 0) return std::nullopt;
    decoded.push_back(static_cast<char>(HexValue(raw[i + 1]) * 16 + HexValue(raw[i + 2])));
    i += 2;
  }
  std::vector<std::string> segments;
  std::string segment;
  std::istringstream parts(decoded);
  while (std::getline(parts, segment, '/')) {
    if (segment.empty()) continue;
    if (segment == "." || segment == ".." || segment.find('\\') != std::string::npos ||
        segment.find('\0') != std::string::npos) {
      return std::nullopt;
    }
    segments.push_back(segment);
  }
  return segments;
}

bool AcceptsGzip(const std::string* accept_encoding) {
  return accept_encoding != nullptr && accept_encoding->find("gzip") != std::string::npos;
}

}  // namespace

std::unique_ptr<StaticSite> StaticSite::Load(const Options& options, std::string* error) {
  std::error_code ec;
  const fs::path root = fs::canonical(options.root, ec);
  if (ec || !fs::is_directory(root)) {
    *error = "web root " + options.root + " is not a directory";
    return nullptr;
  }
  std::unique_ptr<StaticSite> site(new StaticSite());
  uint64_t total = 0;
  // Symbolic links are not followed: what is served is what the build wrote.
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    std::string name = fs::relative(it->path(), root, ec).generic_string();
    std::string body;
    if (ec || !ReadWhole(it->path(), &body)) {
      *error = "cannot read " + it->path().string();
      return nullptr;
    }
    total += body.size();
    if (total > options.max_total_bytes) {
      *error = "web root " + options.root + " holds more than " + std::to_string(options.max_total_bytes) + " bytes";
      return nullptr;
    }
    const bool gzip_twin = name.size() > 3 && name.ends_with(".gz");
    if (gzip_twin) name.resize(name.size() - 3);
    auto& file = site->files_[name];
    (gzip_twin ? file.gzip_body : file.body) = std::move(body);
    file.content_type = ContentTypeOf(name);
  }
  if (ec) {
    *error = "cannot list web root " + options.root + ": " + ec.message();
    return nullptr;
  }
  // A twin without its original is not served on its own.
  std::erase_if(site->files_, [](const auto& entry) { return entry.second.body.empty() && !entry.second.gzip_body.empty(); });
  if (!site->files_.contains("index.html")) {
    *error = "web root " + options.root + " has no index.html (build the console: deploy/build.sh)";
    return nullptr;
  }
  site->csp_ = "default-src 'self'; script-src 'self'; connect-src 'self'" +
               (options.extra_connect_src.empty() ? "" : " " + options.extra_connect_src) +
               "; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; object-src 'none'; "
               "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
  return site;
}

bool StaticSite::Owns(std::string_view path) {
  return !(path == "/openapi.json" || path == "/v1" || path.starts_with("/v1/") || path.starts_with("/v1:"));
}

HttpResponse StaticSite::Refusal(int status, std::string_view message) const {
  HttpResponse r = status == 400 ? FieldError("path", message)
                                 : ErrorResponse(grpc::Status(grpc::StatusCode::NOT_FOUND, std::string(message)));
  r.headers.emplace_back("content-security-policy", csp_);
  r.headers.emplace_back("x-content-type-options", "nosniff");
  r.headers.emplace_back("cache-control", "no-cache");
  return r;
}

HttpResponse StaticSite::Answer(const std::string& name, const File& file, const std::string* accept_encoding) const {
  HttpResponse r;
  r.status = 200;
  r.headers.emplace_back("content-type", file.content_type);
  r.headers.emplace_back("cache-control",
                         name.starts_with("assets/") ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("content-security-policy", csp_);
  r.headers.emplace_back("x-content-type-options", "nosniff");
  r.headers.emplace_back("referrer-policy", "no-referrer");
  if (!file.gzip_body.empty()) {
    r.headers.emplace_back("vary", "Accept-Encoding");
    if (AcceptsGzip(accept_encoding)) {
      r.headers.emplace_back("content-encoding", "gzip");
      r.body = file.gzip_body;
      return r;
    }
  }
  r.body = file.body;
  return r;
}

HttpResponse StaticSite::Serve(std::string_view path, const std::string* accept_encoding) const {
  const auto segments = SafeSegments(path);
  if (!segments) return Refusal(400, "the path names something outside the web console");
  std::string name;
  for (const auto& segment : *segments) name += (name.empty() ? "" : "/") + segment;
  if (name.empty()) name = "index.html";
  if (auto it = files_.find(name); it != files_.end()) return Answer(it->first, it->second, accept_encoding);
  // A page of the single-page app: its last segment has no file extension.
  const bool page = segments->empty() || segments->back().find('.') == std::string::npos;
  if (!page) return Refusal(404, "no file " + std::string(path) + " in the web console");
  const auto index = files_.find("index.html");
  return Answer(index->first, index->second, accept_encoding);
}

}  // namespace osh::gateway
