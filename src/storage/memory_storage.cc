#include "storage/memory_storage.h"

#include <algorithm>

#include "storage/list_cursor.h"

namespace tandem::storage {

namespace {
Status deleted_error(const std::string& what, const DocId& id) {
  return Status::Error(what + ": document '" + id + "' was deleted");
}
}  // namespace

//! The memory backend's side of a batch: appends take effect at once (nothing in memory can
//! fail half-way, so there is never anything to roll back).
class MemoryStorage::Writer final : public BatchWriter {
 public:
  explicit Writer(MemoryStorage& storage) : s_(storage) {}
  Status begin() override { return Status::Ok(); }
  AppendOutcome append(const DocId& doc, std::span<const uint8_t> update) override {
    std::lock_guard lock(s_.mutex_);
    if (s_.state_.deleted(doc)) return {deleted_error("append", doc), false};
    DocLog& log = s_.state_.logs[doc];
    LogPosition position = ++log.head;
    log.entries.emplace(position, std::vector<uint8_t>(update.begin(), update.end()));
    return {position, false};
  }
  TaskOutcome run(const WriteTask& task) override { return {task(), false}; }
  Status commit() override { return Status::Ok(); }
  void rollback() override {}

 private:
  MemoryStorage& s_;
};

MemoryStorage::MemoryStorage(GroupCommitLimits limits)
    : writer_(std::make_unique<Writer>(*this)), queue_(*writer_, subscribers_, limits) {}

MemoryStorage::~MemoryStorage() { queue_.close(); }

bool MemoryStorage::State::deleted(const DocId& id) const {
  auto it = docs.find(id);
  return it != docs.end() && it->second.deleted;
}

Status MemoryStorage::State::store_snapshot(const DocId& id, const Snapshot& snapshot) {
  if (deleted(id)) return deleted_error("save_snapshot", id);
  auto it = snapshots.find(id);
  if (it != snapshots.end() && it->second.covers >= snapshot.covers) {
    return Status::Error("save_snapshot of '" + id + "': the stored snapshot covers position " +
                         std::to_string(it->second.covers) + ", the new one only " +
                         std::to_string(snapshot.covers));
  }
  snapshots[id] = snapshot;
  return Status::Ok();
}

// --- Storage ---

Result<StoredDocument> MemoryStorage::load_document(const DocId& doc) {
  std::lock_guard lock(mutex_);
  StoredDocument stored;
  auto it = state_.snapshots.find(doc);
  if (it != state_.snapshots.end()) stored.snapshot = it->second;
  stored.tail = read_after_locked(doc, stored.snapshot ? stored.snapshot->covers : 0);
  return stored;
}

Status MemoryStorage::replace_snapshot(const DocId& doc, const Snapshot& snapshot) {
  return queue_.write(
      [&]() -> Status {
        std::lock_guard lock(mutex_);
        LogPosition head = state_.logs.count(doc) ? state_.logs[doc].head : 0;
        if (snapshot.covers > head) {
          return Status::Error("replace_snapshot of '" + doc + "': covers position " +
                               std::to_string(snapshot.covers) + ", the log ends at " +
                               std::to_string(head));
        }
        if (Status s = state_.store_snapshot(doc, snapshot); !s.ok()) return s;
        auto& entries = state_.logs[doc].entries;
        entries.erase(entries.begin(), entries.upper_bound(snapshot.covers));
        return Status::Ok();
      },
      "replace_snapshot of '" + doc + "'");
}

// --- UpdateLog ---

void MemoryStorage::append(const DocId& doc, std::vector<uint8_t> update, AppendDone done) {
  queue_.append(doc, std::move(update), std::move(done));
}

std::vector<LogEntry> MemoryStorage::read_after_locked(const DocId& doc, LogPosition after) const {
  std::vector<LogEntry> out;
  auto it = state_.logs.find(doc);
  if (it == state_.logs.end()) return out;
  for (auto e = it->second.entries.upper_bound(after); e != it->second.entries.end(); ++e) {
    out.push_back(LogEntry{e->first, e->second});
  }
  return out;
}

Result<std::vector<LogEntry>> MemoryStorage::read_after(const DocId& doc, LogPosition after) {
  std::lock_guard lock(mutex_);
  return read_after_locked(doc, after);
}

std::unique_ptr<UpdateLog::Subscription> MemoryStorage::subscribe(const DocId& doc,
                                                                  Delivery deliver) {
  return subscribers_.add(doc, std::move(deliver));
}

Status MemoryStorage::trim(const DocId& doc, LogPosition upto) {
  return queue_.write(
      [&]() -> Status {
        std::lock_guard lock(mutex_);
        auto it = state_.logs.find(doc);
        if (it == state_.logs.end()) return Status::Ok();
        it->second.entries.erase(it->second.entries.begin(), it->second.entries.upper_bound(upto));
        return Status::Ok();
      },
      "trim of '" + doc + "'");
}

void MemoryStorage::set_backlog_listener(BacklogListener listener) {
  queue_.set_backlog_listener(std::move(listener));
}

// --- DocumentStore: metadata ---

Status MemoryStorage::create_document(const DocumentMeta& meta) {
  return queue_.write(
      [&]() -> Status {
        std::lock_guard lock(mutex_);
        if (state_.docs.count(meta.id)) {
          return Status::Error("create_document: document '" + meta.id + "' exists" +
                               (state_.docs[meta.id].deleted ? " (deleted)" : ""));
        }
        state_.docs[meta.id] = DocRecord{meta, false};
        return Status::Ok();
      },
      "create_document '" + meta.id + "'");
}

Result<std::optional<DocumentMeta>> MemoryStorage::get_document(const DocId& id) {
  std::lock_guard lock(mutex_);
  auto it = state_.docs.find(id);
  if (it == state_.docs.end() || it->second.deleted) return std::optional<DocumentMeta>();
  return std::optional<DocumentMeta>(it->second.meta);
}

Result<DocumentPage> MemoryStorage::list_documents(const ListOptions& options) {
  auto cursor = decode_list_cursor(options.after_cursor);
  if (!cursor) return cursor.status();
  size_t limit = clamp_list_limit(options.limit);
  std::vector<DocumentMeta> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, record] : state_.docs) {
      if (record.deleted) continue;
      if (*cursor && !(*cursor)->before(record.meta.updated_ms, id)) continue;
      all.push_back(record.meta);
    }
  }
  std::sort(all.begin(), all.end(), [](const DocumentMeta& a, const DocumentMeta& b) {
    return a.updated_ms != b.updated_ms ? a.updated_ms > b.updated_ms : a.id < b.id;
  });
  DocumentPage page;
  bool more = all.size() > limit;
  if (more) all.resize(limit);
  page.docs = std::move(all);
  if (more) page.next_cursor = encode_list_cursor(page.docs.back());
  return page;
}

Result<bool> MemoryStorage::rename_document(const DocId& id, const std::string& title, TimeMs now) {
  bool found = false;
  Status s = queue_.write(
      [&]() -> Status {
        std::lock_guard lock(mutex_);
        auto it = state_.docs.find(id);
        if (it == state_.docs.end() || it->second.deleted) return Status::Ok();
        it->second.meta.title = title;
        it->second.meta.updated_ms = std::max(it->second.meta.updated_ms, now);
        found = true;
        return Status::Ok();
      },
      "rename_document '" + id + "'");
  if (!s.ok()) return s;
  return found;
}

Status MemoryStorage::touch_document(const DocId& id, TimeMs updated_ms) {
  return queue_.write(
      [&]() -> Status {
        std::lock_guard lock(mutex_);
        auto it = state_.docs.find(id);
        if (it == state_.docs.end() || it->second.deleted) {
          return Status::Error("touch_document: no document '" + id + "'");
        }
        it->second.meta.updated_ms = std::max(it->second.meta.updated_ms, updated_ms);
        return Status::Ok();
      },
      "touch_document '" + id + "'");
}

Result<bool> MemoryStorage::delete_document(const DocId& id) {
  bool found = false;
  Status s = queue_.write(
      [&]() -> Status {
        std::lock_guard lock(mutex_);
        auto it = state_.docs.find(id);
        if (it == state_.docs.end() || it->second.deleted) return Status::Ok();
        it->second.deleted = true;
        state_.logs[id].entries.clear();  // the head stays: positions are never reused
        state_.snapshots.erase(id);
        std::erase_if(state_.versions, [&](const Version& v) { return v.info.doc == id; });
        found = true;
        return Status::Ok();
      },
      "delete_document '" + id + "'");
  if (!s.ok()) return s;
  return found;
}

// --- DocumentStore: content ---

Result<std::optional<Snapshot>> MemoryStorage::load_snapshot(const DocId& id) {
  std::lock_guard lock(mutex_);
  auto it = state_.snapshots.find(id);
  if (it == state_.snapshots.end()) return std::optional<Snapshot>();
  return std::optional<Snapshot>(it->second);
}

Status MemoryStorage::save_snapshot(const DocId& id, const Snapshot& snapshot) {
  return queue_.write(
      [&]() -> Status {
        std::lock_guard lock(mutex_);
        return state_.store_snapshot(id, snapshot);
      },
      "save_snapshot of '" + id + "'");
}

Result<VersionInfo> MemoryStorage::create_version(const DocId& id, const std::string& name,
                                                  bool automatic, const std::vector<uint8_t>& state,
                                                  TimeMs now) {
  VersionInfo info;
  Status s = queue_.write(
      [&]() -> Status {
        std::lock_guard lock(mutex_);
        if (state_.deleted(id)) return deleted_error("create_version", id);
        info = VersionInfo{state_.next_version++, id, name, automatic, now};
        state_.versions.push_back(Version{info, state});
        return Status::Ok();
      },
      "create_version of '" + id + "'");
  if (!s.ok()) return s;
  return info;
}

Result<std::vector<VersionInfo>> MemoryStorage::list_versions(const DocId& id) {
  std::lock_guard lock(mutex_);
  std::vector<VersionInfo> out;
  for (auto it = state_.versions.rbegin(); it != state_.versions.rend(); ++it) {
    if (it->info.doc == id) out.push_back(it->info);
  }
  return out;
}

Result<std::optional<std::vector<uint8_t>>> MemoryStorage::version_state(const DocId& id,
                                                                         int64_t version) {
  std::lock_guard lock(mutex_);
  for (const Version& v : state_.versions) {
    if (v.info.id == version && v.info.doc == id) {
      return std::optional<std::vector<uint8_t>>(v.state);
    }
  }
  return std::optional<std::vector<uint8_t>>();
}

}  // namespace tandem::storage
