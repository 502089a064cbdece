// GroupCommitQueue: the single writer thread of a storage backend. append() queues an update
// and returns; the writer takes everything queued, writes it in one transaction through a
// BatchWriter, commits, runs every `done` callback, then delivers the entries to
// subscribers — in queue order. Other writes (metadata, snapshots, versions) go through the
// same queue as tasks that block their caller until committed, so all writes are serialized.
// The backlog of uncommitted appends is bounded (GroupCommitLimits). See docs/storage.md,
// "Group commit" and "Backpressure".
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "storage/subscriber_set.h"
#include "storage/update_log.h"

namespace tandem::storage {

//! The queue's limits; every one is enforced.
struct GroupCommitLimits {
  //! Backlog (bytes of updates appended, not yet committed) above which the log reports
  //! backpressure: the server stops reading client sockets. 16 MiB is several seconds of
  //! heavy typing by thousands of users, and a few fsyncs' worth on a slow disk.
  static constexpr size_t kDefaultHighWaterBytes = size_t{16} << 20;
  //! Above this the log refuses appends (their `done` gets an error): the caller ignored the
  //! backpressure signal, and memory must stay bounded.
  static constexpr size_t kDefaultRejectBytes = size_t{64} << 20;
  //! Most update bytes one transaction takes; a larger backlog commits in several.
  static constexpr size_t kDefaultMaxBatchBytes = size_t{8} << 20;

  size_t high_water_bytes = kDefaultHighWaterBytes;
  //! Backpressure ends when the backlog falls below half the high-water mark.
  size_t low_water_bytes() const { return high_water_bytes / 2; }
  size_t reject_bytes = kDefaultRejectBytes;
  size_t max_batch_bytes = kDefaultMaxBatchBytes;
};

//! Counters since the queue started (for metrics and tests).
struct GroupCommitStats {
  uint64_t batches = 0;         // transactions committed
  uint64_t failed_batches = 0;  // batches that failed as a whole (nothing of them stored)
  uint64_t appends = 0;         // appends committed
  uint64_t rejected_appends = 0;
  uint64_t tasks = 0;           // other writes run (successful or not)
};

//! A write other than an append, run by the writer inside the batch's transaction.
using WriteTask = std::function<Status()>;

//! What one operation of a batch gave. `fatal`: the transaction can not go on; it is rolled
//! back. If a task caused it, the task reports the error and the batch is tried again
//! without it; if an append did (or the commit failed), every operation reports the error.
struct AppendOutcome {
  Result<LogPosition> position;
  bool fatal = false;
};
struct TaskOutcome {
  Status status;
  bool fatal = false;
};

//! A backend's side of the batch: implemented by each backend, called only on the writer
//! thread, one batch at a time: begin(), then append()/run() in queue order, then commit()
//! or rollback().
class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  virtual Status begin() = 0;
  //! Stores `update` as the next entry of `doc`. A non-fatal error stores nothing.
  virtual AppendOutcome append(const DocId& doc, std::span<const uint8_t> update) = 0;
  //! Runs `task` atomically inside the batch: a non-fatal error undoes just the task.
  virtual TaskOutcome run(const WriteTask& task) = 0;
  //! Makes the batch durable. On error nothing of it is stored (the backend rolls back).
  virtual Status commit() = 0;
  virtual void rollback() = 0;
};

//! Owned by a storage backend, built after (and destroyed before) its BatchWriter and
//! SubscriberSet. Thread-safe; callbacks run on its writer thread.
class GroupCommitQueue {
 public:
  GroupCommitQueue(BatchWriter& writer, SubscriberSet& subscribers, GroupCommitLimits limits);
  GroupCommitQueue(const GroupCommitQueue&) = delete;
  GroupCommitQueue& operator=(const GroupCommitQueue&) = delete;
  ~GroupCommitQueue();  // close()

  //! UpdateLog::append. Never blocks.
  void append(const DocId& doc, std::vector<uint8_t> update, UpdateLog::AppendDone done);
  //! Runs `task` in the next batch and waits for its commit. `what` names the operation in
  //! errors. Fails at once after close() or on the writer thread (from a callback).
  Status write(WriteTask task, const std::string& what);
  //! Commits everything queued, runs its callbacks, stops the writer. Idempotent.
  //! REQUIRES: not on the writer thread.
  void close();

  size_t backlog_bytes() const { return backlog_bytes_.load(); }
  bool backlogged() const { return backlogged_.load(); }
  void set_backlog_listener(UpdateLog::BacklogListener listener);
  GroupCommitStats stats() const;
  bool on_writer_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  enum class Kind { Append, Task, Rejected };
  struct Op {
    Kind kind = Kind::Append;
    DocId doc;
    std::vector<uint8_t> update;
    UpdateLog::AppendDone done;
    WriteTask task;
    std::promise<Status>* finished = nullptr;  // the blocked caller's (Task)
    Status status;          // the outcome (Rejected: the reason)
    LogPosition position = 0;
  };

  void run();
  //! Moves the next batch (at most max_batch_bytes of updates, at least one op) to `batch`.
  void take_batch(std::vector<Op>& batch);
  void execute(std::vector<Op>& batch);
  //! One transaction over the batch's ops not `settled`. On a fatal error, `culprit` is the
  //! op that caused it (batch.size() if the commit failed).
  Status attempt(std::vector<Op>& batch, const std::vector<bool>& settled, size_t& culprit);
  void report(std::vector<Op>& batch);
  void notify_backlog();

  BatchWriter& writer_;
  SubscriberSet& subscribers_;
  const GroupCommitLimits limits_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Op> queue_;  // GUARDED_BY(mutex_)
  bool closing_ = false;  // GUARDED_BY(mutex_)

  std::atomic<size_t> backlog_bytes_{0};
  std::atomic<bool> backlogged_{false};
  std::mutex listener_mutex_;
  UpdateLog::BacklogListener listener_;  // GUARDED_BY(listener_mutex_)

  std::atomic<uint64_t> batches_{0}, failed_batches_{0}, appends_{0}, rejected_{0}, tasks_{0};

  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace tandem::storage
