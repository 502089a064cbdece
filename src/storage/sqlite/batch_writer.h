// SqliteBatchWriter: the SQLite side of group commit — one IMMEDIATE transaction per batch on
// the write connection, positions from each document's stored last position (log_heads), a
// savepoint around every other write. See docs/storage.md, "Group commit".
#pragma once

#include <memory>
#include <span>
#include <unordered_map>

#include "storage/group_commit.h"
#include "storage/sqlite/database.h"

namespace tandem::storage::sqlite {

//! Owned by SqliteStorage; used only on its GroupCommitQueue's writer thread (tasks reach the
//! write connection through db() and head() there, inside a batch).
class SqliteBatchWriter final : public BatchWriter {
 public:
  //! Documents whose last position stays cached; past this the cache starts over (it only
  //! saves a lookup in log_heads per batch and document).
  static constexpr size_t kMaxCachedHeads = 100'000;

  explicit SqliteBatchWriter(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Status begin() override;
  AppendOutcome append(const DocId& doc, std::span<const uint8_t> update) override;
  TaskOutcome run(const WriteTask& task) override;
  Status commit() override;
  void rollback() override;

  Database& db() { return *db_; }
  //! The last position of `doc`, counting this batch's appends (0: none ever).
  Result<LogPosition> head(const DocId& doc);
  //! Whether `doc` has a tombstone.
  Result<bool> deleted(const DocId& doc);

 private:
  //! Stores the staged last positions in log_heads (in the batch's transaction).
  Status write_heads();

  std::unique_ptr<Database> db_;
  std::unordered_map<DocId, LogPosition> heads_;   // committed last positions
  std::unordered_map<DocId, LogPosition> staged_;  // this batch's, written at commit
};

}  // namespace tandem::storage::sqlite
