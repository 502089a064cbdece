#include "storage/group_commit.h"

#include <cassert>
#include <utility>

namespace tandem::storage {

GroupCommitQueue::GroupCommitQueue(BatchWriter& writer, SubscriberSet& subscribers,
                                   GroupCommitLimits limits)
    : writer_(writer), subscribers_(subscribers), limits_(limits), thread_([this] { run(); }) {}

GroupCommitQueue::~GroupCommitQueue() { close(); }

void GroupCommitQueue::append(const DocId& doc, std::vector<uint8_t> update,
                              UpdateLog::AppendDone done) {
  Op op;
  op.doc = doc;
  {
    std::unique_lock lock(mutex_);
    if (closing_) {
      lock.unlock();
      if (done) done(Status::Error("update log closed: append to '" + doc + "' refused"));
      return;
    }
    size_t size = update.size();
    if (backlog_bytes_.load() + size > limits_.reject_bytes) {
      op.kind = Kind::Rejected;
      op.status = Status::Error("update log backlog over " + std::to_string(limits_.reject_bytes) +
                                " bytes: append to '" + doc + "' refused");
    } else {
      op.update = std::move(update);
      backlog_bytes_ += size;
    }
    op.done = std::move(done);
    queue_.push_back(std::move(op));
  }
  wake_.notify_one();
  notify_backlog();
}

Status GroupCommitQueue::write(WriteTask task, const std::string& what) {
  if (on_writer_thread()) {
    return Status::Error(what + ": called from a storage callback (it would wait for itself)");
  }
  std::promise<Status> finished;
  auto result = finished.get_future();
  {
    std::lock_guard lock(mutex_);
    if (closing_) return Status::Error(what + ": storage closed");
    Op op;
    op.kind = Kind::Task;
    op.task = std::move(task);
    op.finished = &finished;
    queue_.push_back(std::move(op));
  }
  wake_.notify_one();
  return result.get();
}

void GroupCommitQueue::close() {
  assert(!on_writer_thread());
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable() && !on_writer_thread()) thread_.join();
}

void GroupCommitQueue::set_backlog_listener(UpdateLog::BacklogListener listener) {
  std::lock_guard lock(listener_mutex_);
  listener_ = std::move(listener);
}

GroupCommitStats GroupCommitQueue::stats() const {
  GroupCommitStats s;
  s.batches = batches_.load();
  s.failed_batches = failed_batches_.load();
  s.appends = appends_.load();
  s.rejected_appends = rejected_.load();
  s.tasks = tasks_.load();
  return s;
}

namespace {
//! Capacity of the batch vector kept from one batch to the next (ops are ~190 bytes).
constexpr size_t kKeptBatchOps = 64;
}  // namespace

void GroupCommitQueue::run() {
  std::vector<Op> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, and everything is committed
      take_batch(batch);
    }
    execute(batch);
    // Committed (or failed): no longer backlog, before anyone hears of it.
    size_t bytes = 0;
    for (const Op& op : batch) bytes += op.update.size();
    backlog_bytes_ -= bytes;
    notify_backlog();
    report(batch);
    batch.clear();
    // A burst (every document's first edit at once) grows the batch to thousands of ops; do
    // not keep that memory for the quiet that follows.
    if (batch.capacity() > kKeptBatchOps) std::vector<Op>().swap(batch);
  }
}

void GroupCommitQueue::take_batch(std::vector<Op>& batch) {
  size_t bytes = 0;
  while (!queue_.empty()) {
    size_t size = queue_.front().update.size();
    if (!batch.empty() && bytes + size > limits_.max_batch_bytes) break;
    bytes += size;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
}

void GroupCommitQueue::execute(std::vector<Op>& batch) {
  // A task whose failure ended the transaction is taken out and the batch tried again
  // without it, so a failing metadata write does not fail the edits beside it: at most one
  // attempt per task, plus one.
  std::vector<bool> settled(batch.size(), false);
  for (;;) {
    size_t culprit = batch.size();
    Status failure = attempt(batch, settled, culprit);
    if (failure.ok()) {
      ++batches_;
      return;
    }
    if (culprit < batch.size() && batch[culprit].kind == Kind::Task) {
      batch[culprit].status = std::move(failure);
      settled[culprit] = true;
      continue;
    }
    ++failed_batches_;
    Status reported = Status::Error("batch of " + std::to_string(batch.size()) +
                                    " writes rolled back, nothing of it stored: " +
                                    failure.message());
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!settled[i] && batch[i].kind != Kind::Rejected) batch[i].status = reported;
    }
    return;
  }
}

Status GroupCommitQueue::attempt(std::vector<Op>& batch, const std::vector<bool>& settled,
                                 size_t& culprit) {
  Status failure = writer_.begin();
  for (size_t i = 0; failure.ok() && i < batch.size(); ++i) {
    Op& op = batch[i];
    if (settled[i] || op.kind == Kind::Rejected) continue;
    if (op.kind == Kind::Append) {
      AppendOutcome out = writer_.append(op.doc, op.update);
      if (out.position.ok()) {
        op.position = out.position.value();
        op.status = Status::Ok();
      } else if (out.fatal) {
        failure = out.position.status();
        culprit = i;
      } else {
        op.status = out.position.status();
      }
    } else {
      TaskOutcome out = writer_.run(op.task);
      if (out.fatal) {
        failure = std::move(out.status);
        culprit = i;
      } else {
        op.status = std::move(out.status);
      }
    }
  }
  if (!failure.ok()) {
    writer_.rollback();
    return failure;
  }
  return writer_.commit();
}

void GroupCommitQueue::report(std::vector<Op>& batch) {
  for (Op& op : batch) {
    switch (op.kind) {
      case Kind::Append:
        if (op.status.ok()) ++appends_;
        if (!op.done) break;
        if (op.status.ok()) {
          op.done(op.position);
        } else {
          op.done(op.status);
        }
        break;
      case Kind::Rejected:
        ++rejected_;
        if (op.done) op.done(op.status);
        break;
      case Kind::Task:
        ++tasks_;
        op.finished->set_value(op.status);
        break;
    }
  }
  for (Op& op : batch) {
    if (op.kind == Kind::Append && op.status.ok()) {
      subscribers_.deliver(op.doc, LogEntry{op.position, std::move(op.update)});
    }
  }
}

void GroupCommitQueue::notify_backlog() {
  // Under one mutex, from the current backlog: the last call always reflects the last change,
  // whichever thread makes it.
  std::lock_guard lock(listener_mutex_);
  size_t backlog = backlog_bytes_.load();
  bool was = backlogged_.load();
  bool over = was ? backlog > limits_.low_water_bytes() : backlog > limits_.high_water_bytes;
  if (over == was) return;
  backlogged_ = over;
  if (listener_) listener_(over);
}

}  // namespace tandem::storage
