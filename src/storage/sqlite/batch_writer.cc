#include "storage/sqlite/batch_writer.h"

namespace tandem::storage::sqlite {

Status SqliteBatchWriter::begin() {
  staged_.clear();
  return db_->exec("BEGIN IMMEDIATE");
}

Result<bool> SqliteBatchWriter::deleted(const DocId& doc) {
  auto q = db_->query("SELECT deleted FROM documents WHERE id = ?1");
  if (!q) return q.status();
  q->bind(1, doc);
  auto row = q->step();
  if (!row) return row.status();
  return *row && q->column_int64(0) != 0;
}

Result<LogPosition> SqliteBatchWriter::head(const DocId& doc) {
  if (auto it = staged_.find(doc); it != staged_.end()) return it->second;
  if (auto it = heads_.find(doc); it != heads_.end()) return it->second;
  auto q = db_->query("SELECT last_position FROM log_heads WHERE doc = ?1");
  if (!q) return q.status();
  q->bind(1, doc);
  auto row = q->step();
  if (!row) return row.status();
  return *row ? static_cast<LogPosition>(q->column_int64(0)) : LogPosition{0};
}

AppendOutcome SqliteBatchWriter::append(const DocId& doc, std::span<const uint8_t> update) {
  auto gone = deleted(doc);
  if (!gone) return {gone.status(), true};
  if (*gone) return {Status::Error("append: document '" + doc + "' was deleted"), false};
  auto last = head(doc);
  if (!last) return {last.status(), true};
  LogPosition position = *last + 1;
  auto q = db_->query("INSERT INTO update_log (doc, position, bytes) VALUES (?1, ?2, ?3)");
  if (!q) return {q.status(), true};
  q->bind(1, doc).bind(2, static_cast<int64_t>(position)).bind_blob(3, update);
  if (Status s = q->run(); !s.ok()) return {s, true};
  staged_[doc] = position;
  return {position, false};
}

TaskOutcome SqliteBatchWriter::run(const WriteTask& task) {
  if (Status s = db_->exec("SAVEPOINT task"); !s.ok()) return {s, true};
  Status result = task();
  if (result.ok()) {
    if (Status s = db_->exec("RELEASE task"); !s.ok()) return {s, true};
    return {Status::Ok(), false};
  }
  // SQLite ends the whole transaction by itself after some errors (full disk, I/O).
  if (!db_->in_transaction()) return {result, true};
  if (Status s = db_->exec("ROLLBACK TO task"); !s.ok()) return {s, true};
  if (Status s = db_->exec("RELEASE task"); !s.ok()) return {s, true};
  return {result, false};
}

Status SqliteBatchWriter::write_heads() {
  for (const auto& [doc, position] : staged_) {
    auto q = db_->query(
        "INSERT INTO log_heads (doc, last_position) VALUES (?1, ?2) "
        "ON CONFLICT (doc) DO UPDATE SET last_position = excluded.last_position");
    if (!q) return q.status();
    q->bind(1, doc).bind(2, static_cast<int64_t>(position));
    if (Status s = q->run(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status SqliteBatchWriter::commit() {
  if (Status s = write_heads(); !s.ok()) {
    rollback();
    return s;
  }
  if (Status s = db_->exec("COMMIT"); !s.ok()) {
    rollback();
    return s;
  }
  // The commit point has passed: the batch is durable.
  if (heads_.size() + staged_.size() > kMaxCachedHeads) heads_.clear();
  for (const auto& [doc, position] : staged_) heads_[doc] = position;
  staged_.clear();
  return Status::Ok();
}

void SqliteBatchWriter::rollback() {
  staged_.clear();
  rollback_quietly(*db_);
}

}  // namespace tandem::storage::sqlite
