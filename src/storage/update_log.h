// UpdateLog: the commit point and ordered delivery of each document's updates (see
// ../../docs/storage.md). An update is acknowledged to its sender and broadcast only after
// append() has reported it durable. One node: a SQLite table plus in-process notification
// (sqlite/); a cluster: one Redis Stream per document (a later issue).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace tandem::storage {

using DocId = std::string;
//! Position of an update in its document's log: increasing, starting at 1; 0 = "before the
//! first update". Positions are never reused, also after trim().
using LogPosition = uint64_t;

struct LogEntry {
  LogPosition position = 0;
  std::vector<uint8_t> update;  // a Yjs update, format v1, as it was validated
};

//! Thread-safe: every method may be called from any thread. Callbacks run on a thread of the
//! log (e.g. its writer thread): they must be quick and hand work to their owner's thread.
class UpdateLog {
 public:
  using AppendDone = std::function<void(Result<LogPosition>)>;
  using Delivery = std::function<void(const LogEntry&)>;
  //! Backpressure signal: `true` when the backlog of appends not yet committed passes the
  //! backend's high-water mark (stop reading sockets), `false` when it has drained below the
  //! low-water mark (resume). See set_backlog_listener().
  using BacklogListener = std::function<void(bool over)>;

  //! Ends a subscription when destroyed; after that, its callback is never called again.
  class Subscription {
   public:
    virtual ~Subscription() = default;
  };

  virtual ~UpdateLog() = default;

  //! Appends `update` to the log of `doc` durably. `done` runs once, after the commit (appends
  //! that arrive together are committed together: group commit), with the entry's position,
  //! or with an error if it could not be stored (then nothing was stored). Appends to one
  //! document commit, and report, in the order they were made. append() never blocks; it
  //! fails (through `done`, in order) when the backlog is over the backend's hard limit, and
  //! after close(), where `done` may run on the calling thread.
  //! An error leaves the caller's in-memory document ahead of the log: it must stop
  //! accepting edits for `doc` and reload it (later appends may be stored after a gap).
  virtual void append(const DocId& doc, std::vector<uint8_t> update, AppendDone done) = 0;

  //! The entries of `doc` after position `after`, in order (blocking).
  virtual Result<std::vector<LogEntry>> read_after(const DocId& doc, LogPosition after) = 0;

  //! Calls `deliver` for every entry of `doc` committed from now on, in log order, from a log
  //! thread. (Entries before the subscription are read with read_after.)
  virtual std::unique_ptr<Subscription> subscribe(const DocId& doc, Delivery deliver) = 0;

  //! Removes the entries of `doc` up to and including `upto` (blocking).
  //! REQUIRES: a stored snapshot covers `upto` (Storage::replace_snapshot does both at once).
  virtual Status trim(const DocId& doc, LogPosition upto) = 0;

  // --- backpressure (the defaults suit a backend without a queue) ---
  //! Bytes of updates appended but not yet committed.
  virtual size_t backlog_bytes() const { return 0; }
  //! Whether the backlog is over the high-water mark (and has not drained below the low one).
  virtual bool backlogged() const { return false; }
  //! Registers the one listener of backlog transitions (replacing any earlier one; an empty
  //! function removes it). It runs on an appending thread or a log thread, never two calls at
  //! once, and must be quick and must not call into the log.
  virtual void set_backlog_listener(BacklogListener listener) { (void)listener; }
};

}  // namespace tandem::storage
