// FaultyStorage: a Storage decorator that injects failures — the next N appends, every write
// from now on ("disk full"), snapshot replacement, reads — for tests of the code above the
// seams (the server's handling of a failed commit or load). Everything else goes to the
// wrapped Storage unchanged.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "storage/storage.h"

namespace tandem::storage {

//! Owned by a test; owns the Storage it wraps. Thread-safe: faults may be switched from any
//! thread and apply to calls that start afterwards. A failed append reports its error in
//! order with the document's other appends (it waits for those before it), on a log thread:
//! the wrapped log's or this decorator's own reporter thread.
class FaultyStorage final : public Storage, public UpdateLog, public DocumentStore {
 public:
  explicit FaultyStorage(std::unique_ptr<Storage> inner);
  FaultyStorage(const FaultyStorage&) = delete;
  FaultyStorage& operator=(const FaultyStorage&) = delete;
  ~FaultyStorage() override;

  Storage& inner() { return *inner_; }

  // --- faults ---
  //! The next `n` appends fail (and store nothing).
  void fail_next_appends(size_t n) { fail_appends_ = n; }
  //! Every write fails while on: appends, trims, metadata, snapshots, versions (a full disk).
  void fail_all_writes(bool on) { fail_writes_ = on; }
  //! replace_snapshot and save_snapshot fail while on.
  void fail_snapshot_replacement(bool on) { fail_snapshots_ = on; }
  //! Every read fails while on: read_after, load_document, load_snapshot, metadata, versions.
  void fail_reads(bool on) { fail_reads_ = on; }
  //! How many calls failed by injection so far.
  uint64_t injected_failures() const { return injected_.load(); }

  // Storage
  UpdateLog& log() override { return *this; }
  DocumentStore& documents() override { return *this; }
  Result<StoredDocument> load_document(const DocId& doc) override;
  Status replace_snapshot(const DocId& doc, const Snapshot& snapshot) override;
  void close() override { inner_->close(); }

  // UpdateLog
  void append(const DocId& doc, std::vector<uint8_t> update, AppendDone done) override;
  Result<std::vector<LogEntry>> read_after(const DocId& doc, LogPosition after) override;
  std::unique_ptr<Subscription> subscribe(const DocId& doc, Delivery deliver) override;
  Status trim(const DocId& doc, LogPosition upto) override;
  size_t backlog_bytes() const override { return inner_->log().backlog_bytes(); }
  bool backlogged() const override { return inner_->log().backlogged(); }
  void set_backlog_listener(BacklogListener listener) override {
    inner_->log().set_backlog_listener(std::move(listener));
  }

  // DocumentStore
  Status create_document(const DocumentMeta& meta) override;
  Result<std::optional<DocumentMeta>> get_document(const DocId& id) override;
  Result<DocumentPage> list_documents(const ListOptions& options) override;
  Result<bool> rename_document(const DocId& id, const std::string& title, TimeMs now) override;
  Status touch_document(const DocId& id, TimeMs updated_ms) override;
  Result<bool> delete_document(const DocId& id) override;
  Result<std::optional<Snapshot>> load_snapshot(const DocId& id) override;
  Status save_snapshot(const DocId& id, const Snapshot& snapshot) override;
  Result<VersionInfo> create_version(const DocId& id, const std::string& name, bool automatic,
                                     const std::vector<uint8_t>& state, TimeMs now) override;
  Result<std::vector<VersionInfo>> list_versions(const DocId& id) override;
  Result<std::optional<std::vector<uint8_t>>> version_state(const DocId& id,
                                                            int64_t version) override;

 private:
  //! The appends of one document not yet reported, in the order they were made.
  struct Pending {
    AppendDone done;
    std::optional<Result<LogPosition>> result;  // set when known
  };
  struct DocQueue {
    std::deque<Pending> items;
    uint64_t first_seq = 0;  // sequence number of items.front()
    bool flushing = false;   // a thread is reporting this queue's head
  };

  //! Whether the append now starting should fail (counts it).
  bool take_append_fault();
  Status injected(const std::string& what);
  Status write_fault(const std::string& what);
  Status read_fault(const std::string& what);
  void complete(const DocId& doc, uint64_t seq, Result<LogPosition> result);
  //! Reports the completed head of `doc`'s queue, in order, unless another thread is.
  void flush(const DocId& doc);
  void reporter_loop();

  std::unique_ptr<Storage> inner_;
  std::atomic<size_t> fail_appends_{0};
  std::atomic<bool> fail_writes_{false}, fail_snapshots_{false}, fail_reads_{false};
  std::atomic<uint64_t> injected_{0};

  // Held across queueing and forwarding an append, so the wrapped log sees a document's
  // appends in queue order. Recursive: a `done` run inside append (closed log) may append.
  std::recursive_mutex append_mutex_;
  std::mutex mutex_;
  std::unordered_map<DocId, DocQueue> queues_;  // GUARDED_BY(mutex_)

  // The reporter thread: reports failed appends that are at the head of their queue.
  std::condition_variable reporter_wake_;
  std::deque<DocId> to_flush_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;       // GUARDED_BY(mutex_)
  std::thread reporter_;        // last
};

}  // namespace tandem::storage
