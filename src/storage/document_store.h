// DocumentStore: what outlives the update log — document metadata, the latest snapshot of each
// document with the log position it covers, and versions (see ../../docs/storage.md). One
// node: SQLite (sqlite/, the same database as the log); a cluster: PostgreSQL (a later issue).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/update_log.h"

namespace tandem::storage {

//! Milliseconds since the Unix epoch.
using TimeMs = int64_t;

struct DocumentMeta {
  DocId id;
  std::string title;
  TimeMs created_ms = 0;
  TimeMs updated_ms = 0;  // last committed edit (or rename)
};

struct Snapshot {
  std::vector<uint8_t> state;  // Yjs update v1 of the whole document (garbage-collected)
  LogPosition covers = 0;      // every log entry up to here is in `state`
};

struct VersionInfo {
  int64_t id = 0;  // unique per store, increasing
  DocId doc;
  std::string name;  // empty for automatic versions
  bool automatic = false;
  TimeMs created_ms = 0;
};

struct ListOptions {
  size_t limit = 50;
  //! Paging: only documents ordered after this one (by updated_ms desc, then id); empty: first
  //! page. Opaque: pass back a DocumentPage::next_cursor.
  std::string after_cursor;
};

//! Deleted documents are never listed.
struct DocumentPage {
  std::vector<DocumentMeta> docs;
  std::string next_cursor;  // empty if this is the last page
};

//! Thread-safe: every method may be called from any thread; all block until done (so never
//! from a log callback: a backend with a writer thread returns an error there).
//! Errors: Status/Result with a message naming the document; a missing document is
//! `std::nullopt` (not an error) where the signature allows it.
//! Content (log, snapshot, versions) does not require metadata: a document without a
//! metadata row may have a log and a snapshot. A deleted document keeps a tombstone (its id
//! is never reused) and refuses new content: appends, snapshots and versions fail.
class DocumentStore {
 public:
  virtual ~DocumentStore() = default;

  // --- metadata ---
  //! Creates a document; fails if the id exists (also if it was deleted).
  virtual Status create_document(const DocumentMeta& meta) = 0;
  virtual Result<std::optional<DocumentMeta>> get_document(const DocId& id) = 0;
  virtual Result<DocumentPage> list_documents(const ListOptions& options) = 0;
  //! Returns false if there is no such document.
  virtual Result<bool> rename_document(const DocId& id, const std::string& title, TimeMs now) = 0;
  //! Moves updated_ms forward to `updated_ms` (never back). Fails if there is no such document.
  //! The log does not touch documents itself: the server calls this (throttled) after edits.
  virtual Status touch_document(const DocId& id, TimeMs updated_ms) = 0;
  //! Deletes the document with its snapshot, log and versions. Returns false if absent.
  virtual Result<bool> delete_document(const DocId& id) = 0;

  // --- content ---
  virtual Result<std::optional<Snapshot>> load_snapshot(const DocId& id) = 0;
  //! Replaces the snapshot of `id`; fails if the stored one covers as much of the log or more
  //! (two compactors racing: the later one loses), or if the document was deleted.
  virtual Status save_snapshot(const DocId& id, const Snapshot& snapshot) = 0;

  // --- versions ---
  //! Stores `state` (Yjs update v1) as a version of `id`; fails if the document was deleted.
  virtual Result<VersionInfo> create_version(const DocId& id, const std::string& name, bool automatic,
                                             const std::vector<uint8_t>& state, TimeMs now) = 0;
  //! Newest first.
  virtual Result<std::vector<VersionInfo>> list_versions(const DocId& id) = 0;
  //! The version's document state (Yjs update v1), or nullopt if no such version of `id`.
  virtual Result<std::optional<std::vector<uint8_t>>> version_state(const DocId& id, int64_t version) = 0;
};

}  // namespace tandem::storage
