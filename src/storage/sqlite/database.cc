#include "storage/sqlite/database.h"

#include <sqlite3.h>

#include <utility>

namespace tandem::storage::sqlite {

namespace {

//! SQL shortened for error messages.
std::string excerpt(std::string_view sql) {
  constexpr size_t kMax = 80;
  std::string s(sql.substr(0, kMax));
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  if (sql.size() > kMax) s += "...";
  return s;
}

}  // namespace

// --- Query ---

Query::Query(Database& db, sqlite3_stmt* stmt, bool* in_use, std::string_view sql)
    : db_(&db), stmt_(stmt), in_use_(in_use), sql_(sql) {}

Query::Query(Query&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(other.in_use_),
      sql_(other.sql_),
      bind_status_(std::move(other.bind_status_)) {}

Query::~Query() {
  if (!stmt_) return;
  if (in_use_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
}

void Query::note_bind(int rc, int index) {
  if (rc != SQLITE_OK && bind_status_.ok()) {
    bind_status_ = db_->error("bind of parameter " + std::to_string(index) + " of", sql_, rc);
  }
}

Query& Query::bind(int index, int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Query& Query::bind(int index, std::string_view text) {
  note_bind(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                SQLITE_UTF8),
            index);
  return *this;
}

Query& Query::bind_blob(int index, std::span<const uint8_t> bytes) {
  // A zero-length blob must not be bound as NULL: give sqlite a valid pointer.
  static constexpr uint8_t kEmpty = 0;
  const void* data = bytes.empty() ? &kEmpty : bytes.data();
  note_bind(sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT), index);
  return *this;
}

Query& Query::bind_null(int index) {
  note_bind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Result<bool> Query::step() {
  if (!bind_status_.ok()) return bind_status_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->error("step of", sql_, rc);
}

Status Query::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.status();
    if (!*row) return Status::Ok();
  }
}

int64_t Query::column_int64(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string Query::column_text(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  if (!text) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

std::vector<uint8_t> Query::column_blob(int index) const {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, index));
  int size = sqlite3_column_bytes(stmt_, index);
  if (!data) return {};
  return std::vector<uint8_t>(data, data + size);
}

bool Query::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

// --- Database ---

Database::Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Database::~Database() {
  for (auto& [sql, slot] : cache_) sqlite3_finalize(slot.stmt);
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path, Mode mode,
                                                 int busy_timeout_ms) {
  // NOMUTEX: each connection is used by one thread at a time (the class's contract).
  int flags = SQLITE_OPEN_NOMUTEX | (mode == Mode::ReadWrite
                                         ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                         : SQLITE_OPEN_READONLY);
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // Owned from here, also when opening failed (sqlite3 returns a handle to report with).
  std::unique_ptr<Database> db(new Database(raw, path));
  if (rc != SQLITE_OK) {
    if (!raw) return Status::Error("sqlite open '" + path + "': out of memory");
    return db->error("open", path, rc);
  }
  sqlite3_extended_result_codes(raw, 1);
  rc = sqlite3_busy_timeout(raw, busy_timeout_ms);
  if (rc != SQLITE_OK) return db->error("busy_timeout of", path, rc);
  return db;
}

Status Database::exec(std::string_view sql) {
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error("exec of", sql, rc);
  return Status::Ok();
}

Result<Query> Database::query(std::string_view sql) {
  auto [it, fresh] = cache_.try_emplace(std::string(sql));
  Slot& slot = it->second;
  bool cached = !slot.in_use;  // a statement already in use (nested query): an uncached copy
  sqlite3_stmt* stmt = cached ? slot.stmt : nullptr;
  if (!stmt) {
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                cached ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      if (fresh) cache_.erase(it);
      return error("prepare of", sql, rc);
    }
    if (cached) slot.stmt = stmt;
  }
  if (!cached) return Query(*this, stmt, nullptr, it->first);
  slot.in_use = true;
  return Query(*this, stmt, &slot.in_use, it->first);
}

Result<int64_t> Database::query_int(std::string_view sql) {
  auto q = query(sql);
  if (!q) return q.status();
  auto row = q->step();
  if (!row) return row.status();
  if (!*row) return Status::Error("sqlite '" + excerpt(sql) + "': no row in " + path_);
  return q->column_int64(0);
}

bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
int64_t Database::changes() const { return sqlite3_changes64(db_); }
int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

Status Database::error(std::string_view what, std::string_view sql, int rc) const {
  const char* message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  return Status::Error("sqlite " + std::string(what) + " '" + excerpt(sql) + "' (" + path_ +
                       "): " + message + " (" + sqlite3_errstr(rc) + ", code " +
                       std::to_string(rc) + ")");
}

// --- Transaction ---

Result<Transaction> Transaction::begin(Database& db, Kind kind) {
  Status s = db.exec(kind == Kind::Immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  if (!s.ok()) return s;
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_) rollback_quietly(*db_);
}

Status Transaction::commit() {
  Database* db = std::exchange(db_, nullptr);
  Status s = db->exec("COMMIT");
  if (!s.ok()) rollback_quietly(*db);
  return s;
}

void rollback_quietly(Database& db) {
  if (db.in_transaction()) (void)db.exec("ROLLBACK");
}

}  // namespace tandem::storage::sqlite
