#include "storage/faulty_storage.h"

namespace tandem::storage {

FaultyStorage::FaultyStorage(std::unique_ptr<Storage> inner)
    : inner_(std::move(inner)), reporter_([this] { reporter_loop(); }) {}

FaultyStorage::~FaultyStorage() {
  inner_->close();  // its callbacks report through our queues
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  reporter_wake_.notify_one();
  reporter_.join();
}

// --- faults ---

bool FaultyStorage::take_append_fault() {
  if (fail_writes_) return true;
  size_t n = fail_appends_.load();
  while (n > 0) {
    if (fail_appends_.compare_exchange_weak(n, n - 1)) return true;
  }
  return false;
}

Status FaultyStorage::injected(const std::string& what) {
  ++injected_;
  return Status::Error("injected fault: " + what);
}

Status FaultyStorage::write_fault(const std::string& what) {
  return fail_writes_ ? injected(what) : Status::Ok();
}

Status FaultyStorage::read_fault(const std::string& what) {
  return fail_reads_ ? injected(what) : Status::Ok();
}

// --- ordered reporting of appends ---

void FaultyStorage::append(const DocId& doc, std::vector<uint8_t> update, AppendDone done) {
  std::lock_guard order(append_mutex_);
  bool fail = take_append_fault();
  uint64_t seq = 0;
  bool report_now = false;
  {
    std::lock_guard lock(mutex_);
    DocQueue& q = queues_[doc];
    seq = q.first_seq + q.items.size();
    Pending p{std::move(done), std::nullopt};
    if (fail) p.result = injected("append to '" + doc + "'");
    q.items.push_back(std::move(p));
    report_now = fail && q.items.size() == 1 && !q.flushing;
    if (report_now) to_flush_.push_back(doc);
  }
  if (report_now) reporter_wake_.notify_one();
  if (fail) return;
  inner_->log().append(doc, std::move(update), [this, doc, seq](Result<LogPosition> r) {
    complete(doc, seq, std::move(r));
  });
}

void FaultyStorage::complete(const DocId& doc, uint64_t seq, Result<LogPosition> result) {
  {
    std::lock_guard lock(mutex_);
    DocQueue& q = queues_[doc];
    q.items[seq - q.first_seq].result = std::move(result);
  }
  flush(doc);
}

void FaultyStorage::flush(const DocId& doc) {
  std::unique_lock lock(mutex_);
  auto it = queues_.find(doc);
  if (it == queues_.end() || it->second.flushing) return;  // that thread reports ours too
  DocQueue& q = it->second;  // stays valid: only the flushing thread erases it
  q.flushing = true;
  while (!q.items.empty() && q.items.front().result) {
    Pending p = std::move(q.items.front());
    q.items.pop_front();
    ++q.first_seq;
    lock.unlock();
    if (p.done) p.done(std::move(*p.result));
    lock.lock();
  }
  q.flushing = false;
  if (q.items.empty()) queues_.erase(it);
}

void FaultyStorage::reporter_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    reporter_wake_.wait(lock, [&] { return !to_flush_.empty() || stopping_; });
    if (to_flush_.empty()) return;
    DocId doc = std::move(to_flush_.front());
    to_flush_.pop_front();
    lock.unlock();
    flush(doc);
    lock.lock();
  }
}

// --- Storage ---

Result<StoredDocument> FaultyStorage::load_document(const DocId& doc) {
  if (Status s = read_fault("load of '" + doc + "'"); !s.ok()) return s;
  return inner_->load_document(doc);
}

Status FaultyStorage::replace_snapshot(const DocId& doc, const Snapshot& snapshot) {
  if (fail_snapshots_) return injected("replace_snapshot of '" + doc + "'");
  if (Status s = write_fault("replace_snapshot of '" + doc + "'"); !s.ok()) return s;
  return inner_->replace_snapshot(doc, snapshot);
}

// --- UpdateLog ---

Result<std::vector<LogEntry>> FaultyStorage::read_after(const DocId& doc, LogPosition after) {
  if (Status s = read_fault("read_after of '" + doc + "'"); !s.ok()) return s;
  return inner_->log().read_after(doc, after);
}

std::unique_ptr<UpdateLog::Subscription> FaultyStorage::subscribe(const DocId& doc,
                                                                  Delivery deliver) {
  return inner_->log().subscribe(doc, std::move(deliver));
}

Status FaultyStorage::trim(const DocId& doc, LogPosition upto) {
  if (Status s = write_fault("trim of '" + doc + "'"); !s.ok()) return s;
  return inner_->log().trim(doc, upto);
}

// --- DocumentStore ---

Status FaultyStorage::create_document(const DocumentMeta& meta) {
  if (Status s = write_fault("create_document '" + meta.id + "'"); !s.ok()) return s;
  return inner_->documents().create_document(meta);
}

Result<std::optional<DocumentMeta>> FaultyStorage::get_document(const DocId& id) {
  if (Status s = read_fault("get_document '" + id + "'"); !s.ok()) return s;
  return inner_->documents().get_document(id);
}

Result<DocumentPage> FaultyStorage::list_documents(const ListOptions& options) {
  if (Status s = read_fault("list_documents"); !s.ok()) return s;
  return inner_->documents().list_documents(options);
}

Result<bool> FaultyStorage::rename_document(const DocId& id, const std::string& title, TimeMs now) {
  if (Status s = write_fault("rename_document '" + id + "'"); !s.ok()) return s;
  return inner_->documents().rename_document(id, title, now);
}

Status FaultyStorage::touch_document(const DocId& id, TimeMs updated_ms) {
  if (Status s = write_fault("touch_document '" + id + "'"); !s.ok()) return s;
  return inner_->documents().touch_document(id, updated_ms);
}

Result<bool> FaultyStorage::delete_document(const DocId& id) {
  if (Status s = write_fault("delete_document '" + id + "'"); !s.ok()) return s;
  return inner_->documents().delete_document(id);
}

Result<std::optional<Snapshot>> FaultyStorage::load_snapshot(const DocId& id) {
  if (Status s = read_fault("load_snapshot of '" + id + "'"); !s.ok()) return s;
  return inner_->documents().load_snapshot(id);
}

Status FaultyStorage::save_snapshot(const DocId& id, const Snapshot& snapshot) {
  if (fail_snapshots_) return injected("save_snapshot of '" + id + "'");
  if (Status s = write_fault("save_snapshot of '" + id + "'"); !s.ok()) return s;
  return inner_->documents().save_snapshot(id, snapshot);
}

Result<VersionInfo> FaultyStorage::create_version(const DocId& id, const std::string& name,
                                                  bool automatic, const std::vector<uint8_t>& state,
                                                  TimeMs now) {
  if (Status s = write_fault("create_version of '" + id + "'"); !s.ok()) return s;
  return inner_->documents().create_version(id, name, automatic, state, now);
}

Result<std::vector<VersionInfo>> FaultyStorage::list_versions(const DocId& id) {
  if (Status s = read_fault("list_versions of '" + id + "'"); !s.ok()) return s;
  return inner_->documents().list_versions(id);
}

Result<std::optional<std::vector<uint8_t>>> FaultyStorage::version_state(const DocId& id,
                                                                         int64_t version) {
  if (Status s = read_fault("version_state of '" + id + "'"); !s.ok()) return s;
  return inner_->documents().version_state(id, version);
}

}  // namespace tandem::storage
