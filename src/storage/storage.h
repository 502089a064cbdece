// Storage: one backend's UpdateLog and DocumentStore together, and the one operation that
// spans both — replacing a snapshot and trimming the log it covers (compaction).
#pragma once

#include "storage/document_store.h"
#include "storage/update_log.h"

namespace tandem::storage {

//! Thread-safe, as its two parts are.
class Storage {
 public:
  virtual ~Storage() = default;
  virtual UpdateLog& log() = 0;
  virtual DocumentStore& documents() = 0;
  //! Saves `snapshot` as the snapshot of `doc` and trims its log up to snapshot.covers:
  //! in one transaction where the backend can (SQLite). Otherwise snapshot first, then trim —
  //! a crash in between leaves only entries the snapshot already holds, which re-apply as
  //! no-ops.
  virtual Status replace_snapshot(const DocId& doc, const Snapshot& snapshot) = 0;
};

}  // namespace tandem::storage
