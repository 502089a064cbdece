// Storage: one backend's UpdateLog and DocumentStore together, and the one operation that
// spans both — replacing a snapshot and trimming the log it covers (compaction).
#pragma once

#include <optional>
#include <vector>

#include "common/status.h"
#include "storage/document_store.h"
#include "storage/update_log.h"

namespace tandem::storage {

//! A document as stored: its snapshot (if any) and the log entries after it, read so that
//! nothing falls between them.
struct StoredDocument {
  std::optional<Snapshot> snapshot;
  std::vector<LogEntry> tail;  // entries after snapshot->covers (after 0 without a snapshot)
  //! The last position read: the tail's last entry, else the snapshot's covers, else 0.
  LogPosition last_position() const;
};

//! Thread-safe, as its two parts are.
class Storage {
 public:
  virtual ~Storage() = default;
  virtual UpdateLog& log() = 0;
  virtual DocumentStore& documents() = 0;

  //! Loads snapshot + log tail consistently: a compaction that runs meanwhile cannot trim
  //! entries between the snapshot read and the tail read. The default reads the snapshot,
  //! the tail, then the snapshot's position again, and retries (kLoadAttempts times) if a
  //! newer snapshot appeared; SQLite reads both in one read transaction.
  virtual Result<StoredDocument> load_document(const DocId& doc);
  //! Saves `snapshot` as the snapshot of `doc` and trims its log up to snapshot.covers:
  //! in one transaction where the backend can (SQLite). Otherwise snapshot first, then trim —
  //! a crash in between leaves only entries the snapshot already holds, which re-apply as
  //! no-ops.
  virtual Status replace_snapshot(const DocId& doc, const Snapshot& snapshot) = 0;

  //! Commits everything queued (running its callbacks), then refuses new writes: appends fail
  //! at once, other writes return an error. Idempotent; the destructors of the backends call
  //! it. Call it before tearing down the threads that the callbacks post to.
  virtual void close() {}

  static constexpr int kLoadAttempts = 5;  // a compaction racing every attempt is a bug
};

}  // namespace tandem::storage
