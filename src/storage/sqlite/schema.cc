#include "storage/sqlite/schema.h"

#include <cassert>
#include <string>

namespace tandem::storage::sqlite {

namespace {

//! kMigrations[i] takes the schema from version i to i + 1. Never edit a released one: add
//! the next.
constexpr const char* kMigrations[kSchemaVersion] = {
    // 1: documents, the update log with each document's last position, snapshots, versions.
    R"sql(
      CREATE TABLE documents (
        id         TEXT PRIMARY KEY NOT NULL,
        title      TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        deleted    INTEGER NOT NULL DEFAULT 0  -- a tombstone: the id is never reused
      );
      CREATE TABLE log_heads (
        doc           TEXT PRIMARY KEY NOT NULL,
        last_position INTEGER NOT NULL  -- the last position given; survives trims
      );
      CREATE TABLE update_log (
        doc      TEXT NOT NULL,
        position INTEGER NOT NULL,
        bytes    BLOB NOT NULL,  -- a Yjs update, format v1
        PRIMARY KEY (doc, position)
      );
      CREATE TABLE snapshots (
        doc    TEXT PRIMARY KEY NOT NULL,
        covers INTEGER NOT NULL,  -- every log position up to here is in bytes
        bytes  BLOB NOT NULL      -- the document's state as a Yjs update v1
      );
      CREATE TABLE versions (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused
        doc        TEXT NOT NULL,
        name       TEXT NOT NULL,
        automatic  INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        bytes      BLOB NOT NULL
      );
      CREATE INDEX versions_by_doc ON versions (doc, id);
      PRAGMA application_id = 1416520813;
    )sql",
    // 2: an index for the document list (newest edit first, paged by (updated_ms, id)).
    R"sql(
      CREATE INDEX documents_by_updated ON documents (deleted, updated_ms DESC, id);
    )sql",
};
static_assert(kApplicationId == 1416520813, "kMigrations[0] sets this application_id");

Status apply(Database& db, int to_version) {
  auto txn = Transaction::begin(db, Transaction::Kind::Immediate);
  if (!txn) return txn.status();
  // Read again inside the write lock: another process may have migrated meanwhile.
  auto current = db.query_int("PRAGMA user_version");
  if (!current) return current.status();
  if (*current >= to_version) return Status::Ok();
  if (*current != to_version - 1) {
    return Status::Error("migration to schema " + std::to_string(to_version) + " of " +
                         db.path() + ": found schema " + std::to_string(*current));
  }
  if (Status s = db.exec(kMigrations[to_version - 1]); !s.ok()) {
    return Status::Error("migration to schema " + std::to_string(to_version) + ": " + s.message());
  }
  if (Status s = db.exec("PRAGMA user_version = " + std::to_string(to_version)); !s.ok()) return s;
  return txn->commit();
}

}  // namespace

Result<int> schema_version(Database& db) {
  auto version = db.query_int("PRAGMA user_version");
  if (!version) return version.status();
  auto app = db.query_int("PRAGMA application_id");
  if (!app) return app.status();
  if (*version == 0) {
    auto tables = db.query_int("SELECT count(*) FROM sqlite_schema");
    if (!tables) return tables.status();
    if (*tables == 0 && *app == 0) return 0;
  }
  if (*app != kApplicationId) {
    return Status::Error(db.path() + " is not a Tandem database (application_id " +
                         std::to_string(*app) + ", schema version " + std::to_string(*version) +
                         ")");
  }
  return static_cast<int>(*version);
}

Status migrate(Database& db, int target) {
  assert(target >= 0 && target <= kSchemaVersion);
  auto version = schema_version(db);
  if (!version) return version.status();
  if (*version > target) {
    return Status::Error(db.path() + " has schema version " + std::to_string(*version) +
                         ", newer than this binary's " + std::to_string(target) +
                         ": refusing to open it (upgrade Tandem)");
  }
  for (int v = *version + 1; v <= target; ++v) {
    if (Status s = apply(db, v); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace tandem::storage::sqlite
