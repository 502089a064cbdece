#include "storage/sqlite/sqlite_storage.h"

#include <filesystem>
#include <system_error>

#include "storage/sqlite/schema.h"

namespace tandem::storage::sqlite {

namespace {

//! The WAL file is truncated to this after a checkpoint, so it does not keep the size of the
//! largest burst of writes.
constexpr int64_t kJournalSizeLimitBytes = int64_t{64} << 20;

Status configure_writer(Database& db, const SqliteOptions& options) {
  auto mode = db.query("PRAGMA journal_mode = WAL");
  if (!mode) return mode.status();
  auto row = mode->step();
  if (!row) return row.status();
  if (!*row || mode->column_text(0) != "wal") {
    return Status::Error("sqlite: " + db.path() + " could not switch to WAL mode");
  }
  bool full = options.synchronous == SqliteOptions::Synchronous::Full;
  if (Status s = db.exec(full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
      !s.ok()) {
    return s;
  }
  if (Status s = db.exec("PRAGMA journal_size_limit = " + std::to_string(kJournalSizeLimitBytes));
      !s.ok()) {
    return s;
  }
  // Negative: a size in KiB rather than in pages.
  if (Status s = db.exec("PRAGMA cache_size = -" + std::to_string(options.writer_cache_kib)); !s.ok()) {
    return s;
  }
  if (options.max_page_count > 0) {
    auto pages = db.query_int("PRAGMA max_page_count = " + std::to_string(options.max_page_count));
    if (!pages) return pages.status();
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqliteStorage>> SqliteStorage::open(const SqliteOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return Status::Error("storage: cannot create data directory '" + options.data_dir +
                         "': " + ec.message());
  }
  std::string path = (std::filesystem::path(options.data_dir) / kDatabaseFileName).string();
  auto db = Database::open(path, Database::Mode::ReadWrite, options.busy_timeout_ms);
  if (!db) return db.status();
  // The schema first: configure_writer would turn a foreign file into WAL mode.
  if (Status s = migrate(**db); !s.ok()) return s;
  if (Status s = configure_writer(**db, options); !s.ok()) return s;
  return std::unique_ptr<SqliteStorage>(new SqliteStorage(path, std::move(db).value(), options));
}

SqliteStorage::SqliteStorage(std::string path, std::unique_ptr<Database> write_db,
                             const SqliteOptions& options)
    : path_(std::move(path)),
      writer_(std::make_unique<SqliteBatchWriter>(std::move(write_db))),
      pool_(path_, options.busy_timeout_ms, options.read_connections),
      queue_(*writer_, subscribers_, options.limits) {}

SqliteStorage::~SqliteStorage() { queue_.close(); }

// --- reads shared by the log and the store ---

Result<std::vector<LogEntry>> SqliteStorage::read_log(Database& db, const DocId& doc,
                                                      LogPosition after) {
  auto q = db.query(
      "SELECT position, bytes FROM update_log WHERE doc = ?1 AND position > ?2 ORDER BY position");
  if (!q) return q.status();
  q->bind(1, doc).bind(2, static_cast<int64_t>(after));
  std::vector<LogEntry> entries;
  for (;;) {
    auto row = q->step();
    if (!row) return row.status();
    if (!*row) return entries;
    entries.push_back(LogEntry{static_cast<LogPosition>(q->column_int64(0)), q->column_blob(1)});
  }
}

Result<std::optional<Snapshot>> SqliteStorage::read_snapshot(Database& db, const DocId& doc) {
  auto q = db.query("SELECT covers, bytes FROM snapshots WHERE doc = ?1");
  if (!q) return q.status();
  q->bind(1, doc);
  auto row = q->step();
  if (!row) return row.status();
  if (!*row) return std::optional<Snapshot>();
  return std::optional<Snapshot>(
      Snapshot{q->column_blob(1), static_cast<LogPosition>(q->column_int64(0))});
}

// --- Storage ---

Result<StoredDocument> SqliteStorage::load_document(const DocId& doc) {
  return read([&](Database& db) -> Result<StoredDocument> {
    auto txn = Transaction::begin(db, Transaction::Kind::Deferred);
    if (!txn) return txn.status();
    auto snapshot = read_snapshot(db, doc);
    if (!snapshot) return snapshot.status();
    auto tail = read_log(db, doc, *snapshot ? (*snapshot)->covers : 0);
    if (!tail) return tail.status();
    if (Status s = txn->commit(); !s.ok()) return s;
    return StoredDocument{std::move(snapshot).value(), std::move(tail).value()};
  });
}

Status SqliteStorage::replace_snapshot(const DocId& doc, const Snapshot& snapshot) {
  return queue_.write(
      [&]() -> Status {
        auto head = writer_->head(doc);
        if (!head) return head.status();
        if (snapshot.covers > *head) {
          return Status::Error("replace_snapshot of '" + doc + "': covers position " +
                               std::to_string(snapshot.covers) + ", the log ends at " +
                               std::to_string(*head));
        }
        if (Status s = store_snapshot(doc, snapshot); !s.ok()) return s;
        auto q = writer_->db().query("DELETE FROM update_log WHERE doc = ?1 AND position <= ?2");
        if (!q) return q.status();
        q->bind(1, doc).bind(2, static_cast<int64_t>(snapshot.covers));
        return q->run();
      },
      "replace_snapshot of '" + doc + "'");
}

// --- UpdateLog ---

void SqliteStorage::append(const DocId& doc, std::vector<uint8_t> update, AppendDone done) {
  queue_.append(doc, std::move(update), std::move(done));
}

Result<std::vector<LogEntry>> SqliteStorage::read_after(const DocId& doc, LogPosition after) {
  return read([&](Database& db) { return read_log(db, doc, after); });
}

std::unique_ptr<UpdateLog::Subscription> SqliteStorage::subscribe(const DocId& doc,
                                                                  Delivery deliver) {
  return subscribers_.add(doc, std::move(deliver));
}

Status SqliteStorage::trim(const DocId& doc, LogPosition upto) {
  return queue_.write(
      [&]() -> Status {
        auto q = writer_->db().query("DELETE FROM update_log WHERE doc = ?1 AND position <= ?2");
        if (!q) return q.status();
        q->bind(1, doc).bind(2, static_cast<int64_t>(upto));
        return q->run();
      },
      "trim of '" + doc + "'");
}

void SqliteStorage::set_backlog_listener(BacklogListener listener) {
  queue_.set_backlog_listener(std::move(listener));
}

}  // namespace tandem::storage::sqlite
