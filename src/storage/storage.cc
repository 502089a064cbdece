#include "storage/storage.h"

namespace tandem::storage {

LogPosition StoredDocument::last_position() const {
  if (!tail.empty()) return tail.back().position;
  return snapshot ? snapshot->covers : 0;
}

Result<StoredDocument> Storage::load_document(const DocId& doc) {
  // Snapshot, tail, snapshot again: a trim only follows the save of a snapshot covering it,
  // so if the snapshot did not move, the tail read after the first one has no gap.
  for (int attempt = 0; attempt < kLoadAttempts; ++attempt) {
    auto snapshot = documents().load_snapshot(doc);
    if (!snapshot) return snapshot.status();
    LogPosition covers = snapshot.value() ? snapshot.value()->covers : 0;
    auto tail = log().read_after(doc, covers);
    if (!tail) return tail.status();
    auto again = documents().load_snapshot(doc);
    if (!again) return again.status();
    LogPosition covers_again = again.value() ? again.value()->covers : 0;
    if (covers_again == covers) {
      return StoredDocument{std::move(snapshot).value(), std::move(tail).value()};
    }
  }
  return Status::Error("load of '" + doc + "': its snapshot changed during " +
                       std::to_string(kLoadAttempts) + " attempts");
}

}  // namespace tandem::storage
