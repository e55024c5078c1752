#include "postgres_connection.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <regex>

namespace osh::store {
namespace {

constexpr Oid kByteaOid = 17;

// The key of the advisory lock every write transaction takes. Advisory locks are
// scoped to one database of the server, so this one key serialises exactly the
// writers of one database: every replica of a service (and its migrations).
constexpr int64_t kWriterLockKey = 0x6f73682d77726974;  // "osh-writ"

// SQLSTATE -> the SQLite result code of the same meaning (see StoreError).
int CodeOf(std::string_view sqlstate, bool connection_lost) {
  if (connection_lost) return SQLITE_IOERR;
  if (sqlstate.size() != 5) return SQLITE_ERROR;
  const auto cls = sqlstate.substr(0, 2);
  if (cls == "23") return SQLITE_CONSTRAINT;  // unique, foreign key, not null, check
  if (cls == "08") return SQLITE_IOERR;       // connection exception
  if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") return SQLITE_IOERR;  // shutdown, recovery
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "57014") {
    return SQLITE_BUSY;  // serialization failure, deadlock, lock or statement timeout
  }
  if (sqlstate == "53100") return SQLITE_FULL;  // disk full
  if (cls == "53") return SQLITE_NOMEM;         // out of memory, too many connections
  if (sqlstate == "25006") return SQLITE_READONLY;
  return SQLITE_ERROR;
}

bool IsQuote(char c) { return c == '\'' || c == '"'; }

// Calls out(text, quoted) for each stretch of `sql`, quoted strings, identifiers
// and comments being the quoted ones, so rewrites touch only SQL words.
template <typename F>
void Segments(std::string_view sql, F&& out) {
  size_t i = 0, start = 0;
  auto flush = [&](size_t end, bool quoted) {
    if (end > start) out(sql.substr(start, end - start), quoted);
    start = end;
  };
  while (i < sql.size()) {
    const char c = sql[i];
    size_t end = std::string_view::npos;
    if (IsQuote(c)) {
      end = sql.find(c, i + 1);
      end = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      end = sql.find('\n', i);
      end = end == std::string_view::npos ? sql.size() : end;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      end = sql.find("*/", i + 2);
      end = end == std::string_view::npos ? sql.size() : end + 2;
    }
    if (end == std::string_view::npos) {
      ++i;
      continue;
    }
    flush(i, false);
    i = end;
    flush(i, true);
  }
  flush(sql.size(), false);
}

std::string Decimal(double value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

void IgnoreNotice(void*, const char*) {}

constexpr Oid kTextOid = 25;

// The parameter types a statement is prepared with: left to the server (0)
// for each `$N` the text names, text for any number it skips. SQLite lets a
// statement bind ?1 and ?9 and never mention ?2 (queries that add conditions
// only for the filters given); PostgreSQL cannot infer the type of a parameter
// that appears nowhere and refuses to prepare the statement.
std::vector<Oid> ParameterTypes(std::string_view sql, int parameters) {
  std::vector<Oid> types(static_cast<size_t>(parameters), kTextOid);
  Segments(sql, [&](std::string_view text, bool quoted) {
    if (quoted) return;
    for (size_t i = text.find('$'); i != std::string_view::npos; i = text.find('$', i + 1)) {
      int number = 0;
      std::from_chars(text.data() + i + 1, text.data() + text.size(), number);
      if (number >= 1 && number <= parameters) types[static_cast<size_t>(number - 1)] = 0;
    }
  });
  return types;
}

}  // namespace

bool IsPostgresUrl(std::string_view url) { return url.starts_with("postgres://") || url.starts_with("postgresql://"); }

std::string WithoutPassword(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const auto at = url.find('@', scheme + 3);
  const auto colon = url.find(':', scheme + 3);
  if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::string PostgresPlaceholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 8);
  int largest = 0;
  Segments(sql, [&](std::string_view text, bool quoted) {
    if (quoted) {
      out += text;
      return;
    }
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '?') {
        out += text[i];
        continue;
      }
      size_t digits = i + 1;
      while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
      int number = largest + 1;
      if (digits > i + 1) std::from_chars(text.data() + i + 1, text.data() + digits, number);
      largest = std::max(largest, number);
      out += '$';
      out += std::to_string(number);
      i = digits - 1;
    }
  });
  *count = largest;
  return out;
}

namespace {

// The SQLite expressions PostgresSql and PostgresDdl rewrite (see database.h).
std::string SharedExpressions(std::string_view sql) {
  static const std::vector<std::pair<std::regex, std::string>> kRewrites = [] {
    const auto flags = std::regex::ECMAScript | std::regex::icase;
    return std::vector<std::pair<std::regex, std::string>>{
        {std::regex(R"(CAST\(\s*strftime\(\s*'%s'\s*,\s*'now'\s*\)\s+AS\s+INTEGER\s*\))", flags),
         "CAST(floor(extract(epoch FROM now())) AS BIGINT)"},
        {std::regex(R"(strftime\(\s*'%Y-%m-%dT%H:%M:%fZ'\s*,\s*'now'\s*\))", flags),
         R"(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))"},
    };
  }();
  std::string out(sql);
  if (out.find("strftime") == std::string::npos && out.find("STRFTIME") == std::string::npos) return out;
  for (const auto& [pattern, replacement] : kRewrites) out = std::regex_replace(out, pattern, replacement);
  return out;
}

}  // namespace

std::string PostgresSql(std::string_view sql, int* count) {
  std::string text = SharedExpressions(sql);
  static const std::regex kInsertOrIgnore(R"(^\s*INSERT\s+OR\s+IGNORE\s+INTO\b)", std::regex::ECMAScript | std::regex::icase);
  if (std::regex_search(text, kInsertOrIgnore)) {
    text = std::regex_replace(text, kInsertOrIgnore, "INSERT INTO");
    while (!text.empty() && (text.back() == ';' || std::isspace(static_cast<unsigned char>(text.back())))) {
      text.pop_back();
    }
    text += " ON CONFLICT DO NOTHING";
  }
  return PostgresPlaceholders(text, count);
}

std::string PostgresDdl(std::string_view sqlite_sql) {
  static const std::vector<std::pair<std::regex, std::string>> kRewrites = [] {
    const auto flags = std::regex::ECMAScript | std::regex::icase;
    return std::vector<std::pair<std::regex, std::string>>{
        {std::regex(R"(\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?\b)", flags),
         "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
        {std::regex(R"(\bINTEGER\b)", flags), "BIGINT"},
        {std::regex(R"(\bBLOB\b)", flags), "BYTEA"},
        {std::regex(R"(\bREAL\b)", flags), "DOUBLE PRECISION"},
        {std::regex(R"(\bWITHOUT\s+ROWID\b)", flags), ""},
    };
  }();
  std::string out;
  const std::string shared = SharedExpressions(sqlite_sql);
  Segments(shared, [&](std::string_view text, bool quoted) {
    if (quoted) {
      out += text;
      return;
    }
    std::string s(text);
    for (const auto& [pattern, replacement] : kRewrites) s = std::regex_replace(s, pattern, replacement);
    out += s;
  });
  return out;
}

// ---- PostgresStatement ----

PostgresStatement::PostgresStatement(PostgresConnection& connection, std::string name, std::string sql,
                                     int parameters)
    : connection_(connection),
      name_(std::move(name)),
      sql_(std::move(sql)),
      values_(static_cast<size_t>(parameters)),
      formats_(static_cast<size_t>(parameters), 0),
      types_(ParameterTypes(sql_, parameters)) {}

PostgresStatement::~PostgresStatement() { PQclear(result_); }

void PostgresStatement::Set(int index, std::optional<std::string> value, int format) {
  if (index < 1 || static_cast<size_t>(index) > values_.size()) {
    throw StoreError(SQLITE_RANGE, "bind: parameter " + std::to_string(index) + " is not in the statement");
  }
  values_[static_cast<size_t>(index - 1)] = std::move(value);
  formats_[static_cast<size_t>(index - 1)] = format;
}

void PostgresStatement::BindInt(int index, int64_t value) { Set(index, std::to_string(value), 0); }
void PostgresStatement::BindDouble(int index, double value) { Set(index, Decimal(value), 0); }
void PostgresStatement::BindText(int index, std::string_view text) { Set(index, std::string(text), 0); }
void PostgresStatement::BindNull(int index) { Set(index, std::nullopt, 0); }
void PostgresStatement::BindBlob(int index, std::string_view bytes) { Set(index, std::string(bytes), 1); }

void PostgresStatement::Reset() {
  PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  for (auto& v : values_) v.reset();
  std::fill(formats_.begin(), formats_.end(), 0);
}

void PostgresStatement::Execute() {
  PGconn* conn = connection_.raw();
  std::vector<const char*> values(values_.size());
  std::vector<int> lengths(values_.size());
  for (size_t i = 0; i < values_.size(); ++i) {
    if (!values_[i]) continue;
    values[i] = values_[i]->data();
    lengths[i] = static_cast<int>(values_[i]->size());
  }
  const int n = static_cast<int>(values_.size());
  if (name_.empty()) {
    result_ = PQexecParams(conn, sql_.c_str(), n, types_.data(), values.data(), lengths.data(), formats_.data(), 0);
  } else {
    if (prepared_generation_ != connection_.generation()) {
      PGresult* prepared = PQprepare(conn, name_.c_str(), sql_.c_str(), n, types_.data());
      if (PQresultStatus(prepared) != PGRES_COMMAND_OK) connection_.Fail(prepared, "prepare");
      PQclear(prepared);
      prepared_generation_ = connection_.generation();
    }
    result_ = PQexecPrepared(conn, name_.c_str(), n, values.data(), lengths.data(), formats_.data(), 0);
  }
  const auto status = PQresultStatus(result_);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    PGresult* failed = result_;
    result_ = nullptr;
    connection_.Fail(failed, "step");
  }
}

bool PostgresStatement::Step() {
  if (result_ == nullptr) Execute();
  if (row_ + 1 >= PQntuples(result_)) {
    row_ = PQntuples(result_);
    return false;
  }
  ++row_;
  return true;
}

int PostgresStatement::Run() {
  if (result_ == nullptr) Execute();
  row_ = PQntuples(result_);
  const char* changed = PQcmdTuples(result_);
  return changed[0] == '\0' ? 0 : std::atoi(changed);
}

const char* PostgresStatement::Value(int column) const {
  if (result_ == nullptr || row_ < 0 || row_ >= PQntuples(result_) || column < 0 || column >= PQnfields(result_)) {
    return nullptr;
  }
  return PQgetisnull(result_, row_, column) ? nullptr : PQgetvalue(result_, row_, column);
}

bool PostgresStatement::IsNull(int column) const { return Value(column) == nullptr; }

int64_t PostgresStatement::Int(int column) const {
  const char* v = Value(column);
  if (v == nullptr) return 0;
  if (v[0] == 't' && v[1] == '\0') return 1;  // boolean
  if (v[0] == 'f' && v[1] == '\0') return 0;
  char* end = nullptr;
  const long long n = std::strtoll(v, &end, 10);
  // numeric (SUM of integers) and floating point: truncated like SQLite's cast.
  if (*end != '\0') return static_cast<int64_t>(std::strtod(v, nullptr));
  return n;
}

double PostgresStatement::Double(int column) const {
  const char* v = Value(column);
  return v == nullptr ? 0.0 : std::strtod(v, nullptr);
}

std::string PostgresStatement::Text(int column) const {
  const char* v = Value(column);
  if (v == nullptr) return {};
  if (PQftype(result_, column) == kByteaOid) return Blob(column);
  return std::string(v, static_cast<size_t>(PQgetlength(result_, row_, column)));
}

std::string PostgresStatement::Blob(int column) const {
  const char* v = Value(column);
  if (v == nullptr) return {};
  if (PQftype(result_, column) != kByteaOid) return std::string(v, static_cast<size_t>(PQgetlength(result_, row_, column)));
  size_t length = 0;
  unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &length);
  if (bytes == nullptr) throw StoreError(SQLITE_NOMEM, "unescape bytea: out of memory");
  std::string out(reinterpret_cast<const char*>(bytes), length);
  PQfreemem(bytes);
  return out;
}

// ---- PostgresConnection ----

PostgresConnection::PostgresConnection(std::string url, std::chrono::milliseconds lock_timeout)
    : url_(std::move(url)), lock_timeout_(lock_timeout) {
  Connect();
}

PostgresConnection::~PostgresConnection() {
  cache_.clear();
  PQfinish(conn_);
}

void PostgresConnection::Connect() {
  PQfinish(conn_);
  conn_ = PQconnectdb(url_.c_str());
  ++generation_;  // every statement prepares itself again on the new session
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = "connect " + WithoutPassword(url_) + ": " + PQerrorMessage(conn_);
    throw StoreError(SQLITE_CANTOPEN, "08006", message);
  }
  PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);  // "already exists, skipping" and the like
  // lock_timeout plays SQLite's busy_timeout: a writer waiting longer for the
  // writer lock gets a busy (transient) error instead of waiting for ever.
  Exec("SET lock_timeout = " + std::to_string(lock_timeout_.count()) + "; SET TIME ZONE 'UTC'");
}

bool PostgresConnection::Alive() const {
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  PGresult* result = PQexec(conn_, "SELECT 1");
  const bool ok = PQresultStatus(result) == PGRES_TUPLES_OK;
  PQclear(result);
  return ok && PQstatus(conn_) == CONNECTION_OK;
}

void PostgresConnection::Fail(PGresult* result, std::string_view what) const {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state != nullptr ? state : "";
  std::string message(what);
  message += ": ";
  message += result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_);
  PQclear(result);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  const int code = CodeOf(sqlstate, PQstatus(conn_) != CONNECTION_OK);
  throw StoreError(code, std::move(sqlstate), message);
}

Statement PostgresConnection::Prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  int parameters = 0;
  if (it != cache_.end() && it->second->Busy()) {
    // The cached statement is mid-way through its rows (a caller nested the same
    // query): a private, unnamed one, so neither clobbers the other.
    auto text = PostgresSql(sql, &parameters);
    return Statement(std::make_unique<PostgresStatement>(*this, "", std::move(text), parameters));
  }
  if (it == cache_.end()) {
    auto text = PostgresSql(sql, &parameters);
    auto statement =
        std::make_unique<PostgresStatement>(*this, "osh_" + std::to_string(next_name_++), std::move(text), parameters);
    it = cache_.emplace(std::move(key), std::move(statement)).first;
  }
  return Statement(it->second.get());
}

void PostgresConnection::Exec(const std::string& sql) {
  PGresult* result = PQexec(conn_, sql.c_str());
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail(result, "exec");
  PQclear(result);
}

int64_t PostgresConnection::LastInsertRowId() const {
  PGresult* result = PQexec(conn_, "SELECT lastval()");
  if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != 1) Fail(result, "lastval");
  const int64_t id = std::strtoll(PQgetvalue(result, 0, 0), nullptr, 10);
  PQclear(result);
  return id;
}

void PostgresConnection::BeginOnce(Mode mode) {
  if (mode == Mode::kRead) {
    // One snapshot for the whole read, as a SQLite read transaction gives.
    Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    return;
  }
  // Writers are serialised, across every process on this database, by one
  // transaction-scoped advisory lock taken before anything is read. That keeps
  // SQLite's single-writer semantics exactly: services read and then write in one
  // Write (optimistic versions, idempotency keys, "exists?" checks, outbox
  // sequence numbers) and rely on no other write interleaving. SERIALIZABLE
  // would give the same safety only with retries of 40001 in every service, and
  // row locks (SELECT … FOR UPDATE) would have to be added to each such read and
  // cannot lock rows that do not exist yet. The lock is released by COMMIT or
  // ROLLBACK, also when the session dies. Under it READ COMMITTED sees every
  // earlier write. lock_timeout bounds the wait (a busy error, like SQLite's).
  Exec("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(" + std::to_string(kWriterLockKey) + ")");
}

void PostgresConnection::Begin(Mode mode) {
  if (PQstatus(conn_) != CONNECTION_OK) Connect();
  try {
    BeginOnce(mode);
  } catch (const StoreError&) {
    if (PQstatus(conn_) == CONNECTION_OK) throw;
    // The session died since its last use (backend terminated, server restarted):
    // nothing of this transaction ran yet, so it starts again on a new session.
    Connect();
    BeginOnce(mode);
  }
}

void PostgresConnection::Commit() {
  PGresult* result = PQexec(conn_, "COMMIT");
  if (PQresultStatus(result) != PGRES_COMMAND_OK) Fail(result, "commit");
  // A transaction in which a statement failed (and the caller went on) is
  // rolled back by COMMIT, which then answers "ROLLBACK": never report that as written.
  const bool rolled_back = std::strcmp(PQcmdStatus(result), "ROLLBACK") == 0;
  PQclear(result);
  if (rolled_back) throw StoreError(SQLITE_ABORT, "25P02", "commit: the transaction had failed and was rolled back");
}

void PostgresConnection::Rollback() noexcept {
  if (PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
  PQclear(PQexec(conn_, "ROLLBACK"));
}

// ---- PostgresLease ----

PostgresLease::PostgresLease(std::string url, std::chrono::milliseconds timeout, std::string name)
    : url_(std::move(url)), timeout_(timeout), name_(std::move(name)) {}

bool PostgresLease::Held() {
  try {
    if (connection_ == nullptr) connection_ = std::make_unique<PostgresConnection>(url_, timeout_);
    if (held_) {
      if (connection_->Alive()) return true;
      held_ = false;  // the session died and its lock with it: another process may hold the role now
    }
    if (PQstatus(connection_->raw()) != CONNECTION_OK) connection_->Reconnect();
    auto s = connection_->Prepare("SELECT pg_try_advisory_lock(hashtextextended(?, 0))");
    s.Bind(1, name_);
    held_ = s.Step() && s.Int(0) == 1;
  } catch (const StoreError&) {
    held_ = false;  // the server cannot be reached: nobody here holds the role
  }
  return held_;
}

}  // namespace osh::store
