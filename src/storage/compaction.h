// Compaction: merging a document's snapshot and log tail into a new garbage-collected
// snapshot and trimming the log it covers — backend-independent, through Storage — and the
// policy that says when (docs/storage.md, "Compaction").
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "common/status.h"
#include "storage/storage.h"

namespace tandem::storage {

//! When a document should be compacted. The server keeps, per loaded document, the entries
//! and bytes appended since its last snapshot and the time of the last append, and asks
//! should_compact() after each commit and on an idle timer. Compaction itself runs off the
//! document's I/O thread (it decodes the whole document) and, in a cluster, under the
//! document's lease.
struct CompactionPolicy {
  //! A load replays every entry after the snapshot: 1000 small updates replay in about a
  //! millisecond, and bound the rows a load reads.
  static constexpr size_t kDefaultMaxLogEntries = 1000;
  //! Bounds the log bytes a load reads and the log's share of the database (1 MiB).
  static constexpr size_t kDefaultMaxLogBytes = size_t{1} << 20;
  //! A document nobody edited for this long is compacted once, so documents at rest load
  //! from one snapshot (and are evicted from memory with nothing left in the log).
  static constexpr std::chrono::milliseconds kDefaultIdleAfter{std::chrono::seconds(30)};

  size_t max_log_entries = kDefaultMaxLogEntries;
  size_t max_log_bytes = kDefaultMaxLogBytes;
  std::chrono::milliseconds idle_after = kDefaultIdleAfter;

  //! The log of a document since its snapshot, as the server counts it.
  struct LogTail {
    size_t entries = 0;
    size_t bytes = 0;
    std::chrono::milliseconds idle{0};  // since the last append
  };
  //! Whether to compact now: the tail passed a limit, or it is idle with anything in it.
  bool should_compact(const LogTail& tail) const {
    if (tail.entries == 0) return false;
    return tail.entries >= max_log_entries || tail.bytes >= max_log_bytes ||
           tail.idle >= idle_after;
  }
};

struct CompactionResult {
  bool compacted = false;    // false: the log had nothing after the snapshot
  LogPosition covers = 0;    // the snapshot's position afterwards
  size_t entries_merged = 0;
  size_t snapshot_bytes = 0;
};

//! Loads the snapshot and log tail of `doc` into a crdt::Doc (gc on), encodes its state as a
//! v1 update and replaces the snapshot with it, covering the last position read, trimming
//! the log up to there. Blocking; safe beside appends (what they add after the read stays in
//! the log). Fails, changing nothing, if an entry does not apply or the snapshot could not be
//! replaced (e.g. another compactor won). Not from a storage callback.
Result<CompactionResult> compact(Storage& storage, const DocId& doc);

}  // namespace tandem::storage
