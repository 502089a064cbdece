#include "storage/compaction.h"

#include "crdt/doc.h"

namespace tandem::storage {

Result<CompactionResult> compact(Storage& storage, const DocId& doc) {
  auto stored = storage.load_document(doc);
  if (!stored) return Status::Error("compaction of '" + doc + "': " + stored.error());
  CompactionResult result;
  result.covers = stored->last_position();
  if (stored->tail.empty()) return result;

  crdt::Doc state(crdt::DocOptions{.client_id = 1, .gc = true});
  if (stored->snapshot) {
    if (Status s = state.apply_update(stored->snapshot->state); !s.ok()) {
      return Status::Error("compaction of '" + doc + "': its snapshot (covering " +
                           std::to_string(stored->snapshot->covers) +
                           ") does not apply: " + s.message());
    }
  }
  for (const LogEntry& entry : stored->tail) {
    if (Status s = state.apply_update(entry.update); !s.ok()) {
      return Status::Error("compaction of '" + doc + "': log entry " +
                           std::to_string(entry.position) + " does not apply: " + s.message());
    }
  }
  Snapshot snapshot{state.encode_state_as_update(), result.covers};
  result.snapshot_bytes = snapshot.state.size();
  result.entries_merged = stored->tail.size();
  if (Status s = storage.replace_snapshot(doc, snapshot); !s.ok()) {
    return Status::Error("compaction of '" + doc + "': " + s.message());
  }
  result.compacted = true;
  return result;
}

}  // namespace tandem::storage
