// osh-content-import: loads a directory of seed texts into a running
// osh-content as published articles.
//
//   osh-content-import --target 127.0.0.1:7106 --token-file editor.jwt --dir ../shared/seeds
//
// Every call carries a request id derived from the file's SHA-256, so a run
// can be repeated (after a crash, or to be sure) without creating anything
// twice: the service answers a repeated request id with its first answer.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "osh/content/v1/content.grpc.pb.h"
#include "seed_import.h"

namespace osh::content {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUsage = R"(usage: osh-content-import [options]

Loads every *.txt file of a directory (in name order) into osh-content as a
published article: create, submit for review, publish. Safe to run again:
articles already published are left alone and counted as already present.

options:
  --target HOST:PORT   gRPC address of osh-content (default 127.0.0.1:7106)
  --token-file PATH    file holding a bearer JWT of an editor of the
                       deployment's province (default: the OSH_TOKEN variable)
  --dir PATH           folder of seed texts (default ../shared/seeds)
  --timeout-ms N       deadline of each call in milliseconds (default 10000)
  --help               this text

Prints one line per file (file, article id, outcome, title) and a summary;
exits 1 when any file failed, 2 on a usage error.
)";

struct Options {
  std::string target = "127.0.0.1:7106";
  std::string token_file;
  std::string dir = "../shared/seeds";
  int timeout_ms = 10000;
  bool help = false;
};

std::optional<int> PositiveInt(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

// Accepts "--flag value" and "--flag=value".
std::optional<Options> ParseArgs(int argc, char** argv, std::string& error) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      options.help = true;
      continue;
    }
    std::optional<std::string> value;
    if (const size_t eq = flag.find('='); flag.starts_with("--") && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    }
    if (flag != "--target" && flag != "--token-file" && flag != "--dir" && flag != "--timeout-ms") {
      error = fmt::format("unknown option {}", flag);
      return std::nullopt;
    }
    if (!value || value->empty()) {
      error = fmt::format("{} needs a value", flag);
      return std::nullopt;
    }
    if (flag == "--target") options.target = *value;
    if (flag == "--token-file") options.token_file = *value;
    if (flag == "--dir") options.dir = *value;
    if (flag == "--timeout-ms") {
      const auto ms = PositiveInt(*value);
      if (!ms) {
        error = fmt::format("--timeout-ms must be a positive number of milliseconds, got '{}'", *value);
        return std::nullopt;
      }
      options.timeout_ms = *ms;
    }
  }
  return options;
}

std::string Trimmed(std::string text) {
  const auto blank = [](unsigned char c) { return std::isspace(c) != 0; };
  text.erase(text.begin(), std::find_if_not(text.begin(), text.end(), blank));
  text.erase(std::find_if_not(text.rbegin(), text.rend(), blank).base(), text.end());
  return text;
}

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The token from --token-file, else OSH_TOKEN. Never printed.
std::optional<std::string> ReadToken(const Options& options, std::string& error) {
  if (!options.token_file.empty()) {
    auto text = ReadFile(options.token_file);
    if (!text) {
      error = fmt::format("cannot read token file {}", options.token_file);
      return std::nullopt;
    }
    if (auto token = Trimmed(*text); !token.empty()) return token;
    error = fmt::format("token file {} is empty", options.token_file);
    return std::nullopt;
  }
  if (const char* env = std::getenv("OSH_TOKEN"); env != nullptr && *env != '\0') return Trimmed(env);
  error = "no token: pass --token-file or set OSH_TOKEN (creating articles needs an editor's JWT)";
  return std::nullopt;
}

std::vector<fs::path> SeedFiles(const fs::path& dir, std::error_code& ec) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string CodeName(grpc::StatusCode code) {
  static constexpr std::string_view kNames[] = {
      "OK",           "CANCELLED",     "UNKNOWN",  "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
      "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE",      "DATA_LOSS",         "UNAUTHENTICATED"};
  const auto index = static_cast<size_t>(code);
  return index < std::size(kNames) ? std::string(kNames[index]) : fmt::format("code {}", index);
}

enum class Outcome { kImported, kAlreadyPresent, kFailed };

struct Result {
  Outcome outcome = Outcome::kFailed;
  std::string article_id;
  std::string detail;  // what failed
};

class Importer {
 public:
  Importer(const std::shared_ptr<grpc::Channel>& channel, std::string token, std::chrono::milliseconds timeout)
      : stub_(v1::ContentService::NewStub(channel)), token_(std::move(token)), timeout_(timeout) {}

  Result Import(const SeedArticle& seed) {
    const std::string key = seed.sha256_hex.substr(0, 40);
    v1::CreateArticleRequest create;
    *create.mutable_content() = seed.content;
    create.set_change_note(fmt::format("imported from seed file {}", seed.file_name));
    create.set_request_id("seed-create-" + key);
    v1::Article created;
    if (auto s = Call([&](auto* c) { return stub_->CreateArticle(c, create, &created); }); !s.ok()) {
      return Failed("create", s, "");
    }
    // A repeated create answers with the article as it was first created, so
    // only its current state tells whether an earlier run got to the end.
    if (IsPublished(created.id())) return {Outcome::kAlreadyPresent, created.id(), ""};

    v1::Article submitted;
    auto submit = Transition(created, "seed-submit-" + key);
    if (auto s = Call([&](auto* c) { return stub_->SubmitArticle(c, submit, &submitted); }); !s.ok()) {
      return Failed("submit", s, created.id());
    }
    v1::Article published;
    auto publish = Transition(submitted, "seed-publish-" + key);
    if (auto s = Call([&](auto* c) { return stub_->PublishArticle(c, publish, &published); }); !s.ok()) {
      return Failed("publish", s, created.id());
    }
    if (published.status() != v1::ARTICLE_STATUS_PUBLISHED) {
      return {Outcome::kFailed, created.id(),
              fmt::format("publish answered status {}", v1::ArticleStatus_Name(published.status()))};
    }
    return {Outcome::kImported, created.id(), ""};
  }

 private:
  static constexpr int kAttempts = 3;
  static constexpr std::chrono::milliseconds kBackoff{500};

  // Only what a retry can cure: the request ids make a retry harmless.
  static bool IsTransient(grpc::StatusCode code) {
    return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED;
  }

  template <typename Rpc>
  grpc::Status Call(Rpc rpc) {
    grpc::Status status;
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      grpc::ClientContext context;
      context.AddMetadata("authorization", "Bearer " + token_);
      context.set_deadline(std::chrono::system_clock::now() + timeout_);
      status = rpc(&context);
      if (status.ok() || !IsTransient(status.error_code())) break;
      if (attempt < kAttempts) std::this_thread::sleep_for(kBackoff * attempt);
    }
    return status;
  }

  // The version is the one of the previous answer: on a repeated run that is
  // the answer of the first run, which is what the repeated request id expects.
  static v1::ArticleTransitionRequest Transition(const v1::Article& article, std::string request_id) {
    v1::ArticleTransitionRequest request;
    request.set_id(article.id());
    request.set_version(article.version());
    request.set_request_id(std::move(request_id));
    return request;
  }

  // False too when the state cannot be read: submitting and publishing again
  // are harmless, and their answers say what happened.
  bool IsPublished(const std::string& id) {
    v1::GetArticleRequest request;
    request.set_id(id);
    request.set_view(v1::ARTICLE_VIEW_WORKING);
    v1::Article article;
    const auto status = Call([&](auto* c) { return stub_->GetArticle(c, request, &article); });
    return status.ok() && article.status() == v1::ARTICLE_STATUS_PUBLISHED;
  }

  static Result Failed(std::string_view step, const grpc::Status& status, const std::string& id) {
    const auto code = CodeName(status.error_code());
    return {Outcome::kFailed, id, fmt::format("{}: {} {}", step, code, status.error_message())};
  }

  std::unique_ptr<v1::ContentService::Stub> stub_;
  std::string token_;
  std::chrono::milliseconds timeout_;
};

int Run(const Options& options) {
  std::string error;
  const auto token = ReadToken(options, error);
  if (!token) {
    fmt::print(stderr, "osh-content-import: {}\n", error);
    return 2;
  }
  std::error_code ec;
  const auto files = SeedFiles(options.dir, ec);
  if (ec) {
    fmt::print(stderr, "osh-content-import: cannot list {}: {}\n", options.dir, ec.message());
    return 2;
  }
  const auto timeout = std::chrono::milliseconds(options.timeout_ms);
  auto channel = grpc::CreateChannel(options.target, grpc::InsecureChannelCredentials());
  // One clear message instead of a failure per file when nothing listens.
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + timeout)) {
    fmt::print(stderr, "osh-content-import: cannot reach osh-content at {}\n", options.target);
    return 1;
  }
  Importer importer(channel, *token, timeout);

  int imported = 0;
  int present = 0;
  int failed = 0;
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    std::optional<SeedArticle> seed;
    if (const auto text = ReadFile(path)) {
      seed = ParseSeed(name, *text, &error);
    } else {
      error = "cannot read the file";
    }
    const Result result = seed ? importer.Import(*seed) : Result{Outcome::kFailed, "", error};
    const char* word = result.outcome == Outcome::kImported         ? "imported"
                       : result.outcome == Outcome::kAlreadyPresent ? "already-present"
                                                                    : "FAILED";
    const std::string id = result.article_id.empty() ? "-" : result.article_id;
    const std::string& about = result.outcome == Outcome::kFailed ? result.detail : seed->content.title();
    fmt::print("{}\t{}\t{}\t{}\n", name, id, word, about);
    imported += result.outcome == Outcome::kImported;
    present += result.outcome == Outcome::kAlreadyPresent;
    failed += result.outcome == Outcome::kFailed;
  }
  fmt::print("imported {}, already present {}, failed {}\n", imported, present, failed);
  return failed > 0 ? 1 : 0;
}

}  // namespace
}  // namespace osh::content

int main(int argc, char** argv) {
  std::string error;
  const auto options = osh::content::ParseArgs(argc, argv, error);
  if (!options) {
    fmt::print(stderr, "osh-content-import: {}\n\n{}", error, osh::content::kUsage);
    return 2;
  }
  if (options->help) {
    fmt::print("{}", osh::content::kUsage);
    return 0;
  }
  return osh::content::Run(*options);
}
