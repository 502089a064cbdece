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

  //! Ends a subscription when destroyed; after that, its callback is never called again.
  class Subscription {
   public:
    virtual ~Subscription() = default;
  };

  virtual ~UpdateLog() = default;

  //! Appends `update` to the log of `doc` durably. `done` runs once, after the commit (appends
  //! that arrive together are committed together: group commit), with the entry's position,
  //! or with an error if it could not be stored (then nothing was stored). Appends to one
  //! document commit, and report, in the order they were made.
  virtual void append(const DocId& doc, std::vector<uint8_t> update, AppendDone done) = 0;

  //! The entries of `doc` after position `after`, in order (blocking).
  virtual Result<std::vector<LogEntry>> read_after(const DocId& doc, LogPosition after) = 0;

  //! Calls `deliver` for every entry of `doc` committed from now on, in log order, from a log
  //! thread. (Entries before the subscription are read with read_after.)
  virtual std::unique_ptr<Subscription> subscribe(const DocId& doc, Delivery deliver) = 0;

  //! Removes the entries of `doc` up to and including `upto` (blocking).
  virtual Status trim(const DocId& doc, LogPosition upto) = 0;
};

}  // namespace tandem::storage
