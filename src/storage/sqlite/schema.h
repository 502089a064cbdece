// The SQLite schema of Tandem's database (<data dir>/tandem.db) and its migrations, applied
// when the database opens. The schema version is PRAGMA user_version; each migration runs in
// its own transaction; a database newer than this binary is refused. Spec: docs/storage.md,
// "SQLite schema".
#pragma once

#include <cstdint>

#include "common/status.h"
#include "storage/sqlite/database.h"

namespace tandem::storage::sqlite {

//! The schema this binary writes: migrations 1..kSchemaVersion.
inline constexpr int kSchemaVersion = 2;
//! PRAGMA application_id of a Tandem database ("Tndm"), so a foreign SQLite file is refused.
inline constexpr int32_t kApplicationId = 0x546e646d;

//! The database's schema version (0: a new, empty database). Fails on a file that is not a
//! Tandem database.
Result<int> schema_version(Database& db);

//! Applies the migrations from the database's version up to `target`, each in its own
//! transaction. Fails, changing nothing, if the database is newer than `target`.
//! REQUIRES: target <= kSchemaVersion (a lower target is for tests of the migrations).
Status migrate(Database& db, int target = kSchemaVersion);

}  // namespace tandem::storage::sqlite
