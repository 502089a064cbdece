// Database, Query, Transaction: RAII over sqlite3* and its cached prepared statements. Every
// failure becomes a Status naming the step (open, prepare, bind, step, exec of which SQL) and
// sqlite's own message. Used by the SQLite backend only (docs/storage.md, "SQLite").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tandem::storage::sqlite {

class Database;

//! One use of a prepared statement: bind parameters (1-based), step, read columns (0-based).
//! Resets the statement and clears its bindings when destroyed. Borrowed from a Database on
//! one thread; must not outlive it. A bind error is reported by the next step()/run().
class Query {
 public:
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  Query(const Query&) = delete;
  ~Query();

  Query& bind(int index, int64_t value);
  Query& bind(int index, std::string_view text);
  Query& bind_blob(int index, std::span<const uint8_t> bytes);
  Query& bind_null(int index);

  //! Advances to the next row: true if there is one, false when done.
  Result<bool> step();
  //! Steps until done (rows, if any, are ignored).
  Status run();

  int64_t column_int64(int index) const;
  std::string column_text(int index) const;
  std::vector<uint8_t> column_blob(int index) const;
  bool column_is_null(int index) const;

 private:
  friend class Database;
  Query(Database& db, sqlite3_stmt* stmt, bool* in_use, std::string_view sql);
  void note_bind(int rc, int index);

  Database* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;  // the cache slot's flag; nullptr: an uncached statement this query owns
  std::string_view sql_;
  Status bind_status_;
};

//! One SQLite connection and its statement cache. Owned by one user (the writer, or a read
//! pool's lease holder) and used by one thread at a time; not copyable.
class Database {
 public:
  enum class Mode { ReadWrite, ReadOnly };

  //! Opens (ReadWrite: creating if needed) the database file at `path`.
  static Result<std::unique_ptr<Database>> open(const std::string& path, Mode mode,
                                                int busy_timeout_ms);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  //! Runs SQL without parameters (may hold several statements).
  Status exec(std::string_view sql);
  //! The cached prepared statement for `sql` (compiled at its first use on this connection).
  Result<Query> query(std::string_view sql);
  //! A one-row, one-column integer query (a PRAGMA, a count).
  Result<int64_t> query_int(std::string_view sql);
  //! Whether a transaction is open (false after sqlite rolled one back by itself).
  bool in_transaction() const;
  int64_t changes() const;
  int64_t last_insert_rowid() const;

  //! "sqlite <what> '<sql>': <message> (<code name>)", for the error `rc` just returned.
  Status error(std::string_view what, std::string_view sql, int rc) const;
  const std::string& path() const { return path_; }

 private:
  struct Slot {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  Database(sqlite3* db, std::string path);

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, Slot> cache_;
};

//! A transaction on a Database: BEGIN (Deferred: a read snapshot; Immediate: takes the write
//! lock now) ... commit(); rolled back when destroyed uncommitted. Same thread as its Database.
class Transaction {
 public:
  enum class Kind { Deferred, Immediate };
  static Result<Transaction> begin(Database& db, Kind kind);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  //! On error the transaction is rolled back.
  Status commit();

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;  // nullptr once committed or rolled back
};

//! Rolls back `db`'s open transaction, if any (after a failed statement or COMMIT).
void rollback_quietly(Database& db);

}  // namespace tandem::storage::sqlite
