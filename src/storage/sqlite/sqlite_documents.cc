// SqliteStorage's DocumentStore: metadata, snapshots and versions (tables documents,
// snapshots, versions; docs/storage.md). Reads on the read pool, writes as tasks of the
// writer thread.
#include "storage/list_cursor.h"
#include "storage/sqlite/sqlite_storage.h"

namespace tandem::storage::sqlite {

namespace {

Status deleted_error(const std::string& what, const DocId& id) {
  return Status::Error(what + ": document '" + id + "' was deleted");
}

}  // namespace

// --- metadata ---

Status SqliteStorage::create_document(const DocumentMeta& meta) {
  return queue_.write(
      [&]() -> Status {
        auto gone = writer_->deleted(meta.id);
        if (!gone) return gone.status();
        auto q = writer_->db().query("SELECT 1 FROM documents WHERE id = ?1");
        if (!q) return q.status();
        q->bind(1, meta.id);
        auto exists = q->step();
        if (!exists) return exists.status();
        if (*exists) {
          return Status::Error("create_document: document '" + meta.id + "' exists" +
                               (*gone ? " (deleted)" : ""));
        }
        auto insert = writer_->db().query(
            "INSERT INTO documents (id, title, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4)");
        if (!insert) return insert.status();
        insert->bind(1, meta.id).bind(2, meta.title).bind(3, meta.created_ms).bind(4, meta.updated_ms);
        return insert->run();
      },
      "create_document '" + meta.id + "'");
}

Result<std::optional<DocumentMeta>> SqliteStorage::get_document(const DocId& id) {
  return read([&](Database& db) -> Result<std::optional<DocumentMeta>> {
    auto q = db.query(
        "SELECT title, created_ms, updated_ms FROM documents WHERE id = ?1 AND deleted = 0");
    if (!q) return q.status();
    q->bind(1, id);
    auto row = q->step();
    if (!row) return row.status();
    if (!*row) return std::optional<DocumentMeta>();
    return std::optional<DocumentMeta>(
        DocumentMeta{id, q->column_text(0), q->column_int64(1), q->column_int64(2)});
  });
}

Result<DocumentPage> SqliteStorage::list_documents(const ListOptions& options) {
  auto cursor = decode_list_cursor(options.after_cursor);
  if (!cursor) return cursor.status();
  size_t limit = clamp_list_limit(options.limit);
  return read([&](Database& db) -> Result<DocumentPage> {
    // One more than the page, to know whether another page follows.
    auto q = db.query(
        "SELECT id, title, created_ms, updated_ms FROM documents WHERE deleted = 0 AND "
        "(?1 IS NULL OR updated_ms < ?1 OR (updated_ms = ?1 AND id > ?2)) "
        "ORDER BY updated_ms DESC, id LIMIT ?3");
    if (!q) return q.status();
    if (*cursor) {
      q->bind(1, (*cursor)->updated_ms).bind(2, (*cursor)->id);
    } else {
      q->bind_null(1).bind_null(2);
    }
    q->bind(3, static_cast<int64_t>(limit + 1));
    DocumentPage page;
    for (;;) {
      auto row = q->step();
      if (!row) return row.status();
      if (!*row) break;
      page.docs.push_back(
          DocumentMeta{q->column_text(0), q->column_text(1), q->column_int64(2), q->column_int64(3)});
    }
    if (page.docs.size() > limit) {
      page.docs.resize(limit);
      page.next_cursor = encode_list_cursor(page.docs.back());
    }
    return page;
  });
}

Result<bool> SqliteStorage::rename_document(const DocId& id, const std::string& title, TimeMs now) {
  bool found = false;
  Status s = queue_.write(
      [&]() -> Status {
        auto q = writer_->db().query(
            "UPDATE documents SET title = ?2, updated_ms = max(updated_ms, ?3) "
            "WHERE id = ?1 AND deleted = 0");
        if (!q) return q.status();
        q->bind(1, id).bind(2, title).bind(3, now);
        if (Status r = q->run(); !r.ok()) return r;
        found = writer_->db().changes() > 0;
        return Status::Ok();
      },
      "rename_document '" + id + "'");
  if (!s.ok()) return s;
  return found;
}

Status SqliteStorage::touch_document(const DocId& id, TimeMs updated_ms) {
  return queue_.write(
      [&]() -> Status {
        auto q = writer_->db().query(
            "UPDATE documents SET updated_ms = max(updated_ms, ?2) WHERE id = ?1 AND deleted = 0");
        if (!q) return q.status();
        q->bind(1, id).bind(2, updated_ms);
        if (Status r = q->run(); !r.ok()) return r;
        if (writer_->db().changes() == 0) {
          return Status::Error("touch_document: no document '" + id + "'");
        }
        return Status::Ok();
      },
      "touch_document '" + id + "'");
}

Result<bool> SqliteStorage::delete_document(const DocId& id) {
  bool found = false;
  Status s = queue_.write(
      [&]() -> Status {
        Database& db = writer_->db();
        auto mark = db.query("UPDATE documents SET deleted = 1 WHERE id = ?1 AND deleted = 0");
        if (!mark) return mark.status();
        mark->bind(1, id);
        if (Status r = mark->run(); !r.ok()) return r;
        found = db.changes() > 0;
        if (!found) return Status::Ok();
        // log_heads stays: positions are never reused.
        for (const char* sql : {"DELETE FROM update_log WHERE doc = ?1",
                                "DELETE FROM snapshots WHERE doc = ?1",
                                "DELETE FROM versions WHERE doc = ?1"}) {
          auto q = db.query(sql);
          if (!q) return q.status();
          q->bind(1, id);
          if (Status r = q->run(); !r.ok()) return r;
        }
        return Status::Ok();
      },
      "delete_document '" + id + "'");
  if (!s.ok()) return s;
  return found;
}

// --- content ---

Result<std::optional<Snapshot>> SqliteStorage::load_snapshot(const DocId& id) {
  return read([&](Database& db) { return read_snapshot(db, id); });
}

Status SqliteStorage::store_snapshot(const DocId& id, const Snapshot& snapshot) {
  auto gone = writer_->deleted(id);
  if (!gone) return gone.status();
  if (*gone) return deleted_error("save_snapshot", id);
  auto current = read_snapshot(writer_->db(), id);
  if (!current) return current.status();
  if (*current && (*current)->covers >= snapshot.covers) {
    return Status::Error("save_snapshot of '" + id + "': the stored snapshot covers position " +
                         std::to_string((*current)->covers) + ", the new one only " +
                         std::to_string(snapshot.covers));
  }
  auto q = writer_->db().query(
      "INSERT INTO snapshots (doc, covers, bytes) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (doc) DO UPDATE SET covers = excluded.covers, bytes = excluded.bytes");
  if (!q) return q.status();
  q->bind(1, id).bind(2, static_cast<int64_t>(snapshot.covers)).bind_blob(3, snapshot.state);
  return q->run();
}

Status SqliteStorage::save_snapshot(const DocId& id, const Snapshot& snapshot) {
  return queue_.write([&] { return store_snapshot(id, snapshot); },
                      "save_snapshot of '" + id + "'");
}

Result<VersionInfo> SqliteStorage::create_version(const DocId& id, const std::string& name,
                                                  bool automatic, const std::vector<uint8_t>& state,
                                                  TimeMs now) {
  VersionInfo info{0, id, name, automatic, now};
  Status s = queue_.write(
      [&]() -> Status {
        auto gone = writer_->deleted(id);
        if (!gone) return gone.status();
        if (*gone) return deleted_error("create_version", id);
        auto q = writer_->db().query(
            "INSERT INTO versions (doc, name, automatic, created_ms, bytes) "
            "VALUES (?1, ?2, ?3, ?4, ?5)");
        if (!q) return q.status();
        q->bind(1, id).bind(2, name).bind(3, int64_t{automatic}).bind(4, now).bind_blob(5, state);
        if (Status r = q->run(); !r.ok()) return r;
        info.id = writer_->db().last_insert_rowid();
        return Status::Ok();
      },
      "create_version of '" + id + "'");
  if (!s.ok()) return s;
  return info;
}

Result<std::vector<VersionInfo>> SqliteStorage::list_versions(const DocId& id) {
  return read([&](Database& db) -> Result<std::vector<VersionInfo>> {
    auto q = db.query(
        "SELECT id, name, automatic, created_ms FROM versions WHERE doc = ?1 ORDER BY id DESC");
    if (!q) return q.status();
    q->bind(1, id);
    std::vector<VersionInfo> out;
    for (;;) {
      auto row = q->step();
      if (!row) return row.status();
      if (!*row) return out;
      out.push_back(VersionInfo{q->column_int64(0), id, q->column_text(1), q->column_int64(2) != 0,
                                q->column_int64(3)});
    }
  });
}

Result<std::optional<std::vector<uint8_t>>> SqliteStorage::version_state(const DocId& id,
                                                                         int64_t version) {
  return read([&](Database& db) -> Result<std::optional<std::vector<uint8_t>>> {
    auto q = db.query("SELECT bytes FROM versions WHERE id = ?1 AND doc = ?2");
    if (!q) return q.status();
    q->bind(1, version).bind(2, id);
    auto row = q->step();
    if (!row) return row.status();
    if (!*row) return std::optional<std::vector<uint8_t>>();
    return std::optional<std::vector<uint8_t>>(q->column_blob(0));
  });
}

}  // namespace tandem::storage::sqlite
