// storage_crash_writer DATA_DIR CLIENT_ID: the victim of the crash-safety test (crash_test.cc).
// Opens <DATA_DIR>/tandem.db, reloads documents "a", "b", "c", then keeps appending to them —
// update n of a document appends the text "n," to its root "t" — and compacts them on a
// second thread, until it is killed (or kMaxRun passes). Prints "ack DOC POSITION" the moment
// `done` reports a position durable, "compacted DOC COVERS" after each compaction, one
// write(2) per line so that a line is either whole or absent when the process dies.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "crdt/doc.h"
#include "crdt/text.h"
#include "storage/compaction.h"
#include "storage/sqlite/sqlite_storage.h"

namespace {

using tandem::Result;
using tandem::Status;
using namespace tandem::storage;

//! The test kills the writer long before this; it only bounds a run whose parent died.
constexpr std::chrono::seconds kMaxRun{20};
//! Appends in flight at once, so the queue stays small and acks come steadily.
constexpr int kMaxInFlight = 32;
constexpr const char* kDocs[] = {"a", "b", "c"};

void say(const std::string& line) {
  std::string out = line + "\n";
  ssize_t n = ::write(STDOUT_FILENO, out.data(), out.size());
  (void)n;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "storage_crash_writer: %s\n", message.c_str());
  return 1;
}

//! One document being typed into: its Doc, and the number of the next update.
struct Typist {
  std::unique_ptr<tandem::crdt::Doc> doc;
  uint64_t next = 0;
};

Status reload(Storage& storage, const DocId& id, Typist& typist, uint64_t client) {
  auto stored = storage.load_document(id);
  if (!stored) return stored.status();
  typist.doc = std::make_unique<tandem::crdt::Doc>(tandem::crdt::DocOptions{.client_id = client});
  if (stored->snapshot) {
    if (Status s = typist.doc->apply_update(stored->snapshot->state); !s.ok()) return s;
  }
  for (const LogEntry& e : stored->tail) {
    if (Status s = typist.doc->apply_update(e.update); !s.ok()) return s;
  }
  typist.next = stored->last_position();  // update n is stored at position n + 1
  return Status::Ok();
}

std::vector<uint8_t> type_next(Typist& typist) {
  auto* text = typist.doc->get("t", tandem::crdt::TypeKind::Text);
  std::string piece = std::to_string(typist.next++) + ",";
  return typist.doc->transact([&](tandem::crdt::Transaction& t) {
    uint64_t end = tandem::crdt::text_to_string(text).size();  // ASCII: UTF-16 length
    (void)tandem::crdt::text_insert(t, text, end, piece);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return fail("usage: storage_crash_writer DATA_DIR CLIENT_ID");
  sqlite::SqliteOptions options;
  options.data_dir = argv[1];
  uint64_t client = std::strtoull(argv[2], nullptr, 10);
  auto opened = sqlite::SqliteStorage::open(options);
  if (!opened) return fail(opened.error());
  std::unique_ptr<sqlite::SqliteStorage> storage = std::move(opened).value();

  std::map<std::string, Typist> typists;
  for (const char* id : kDocs) {
    if (Status s = reload(*storage, id, typists[id], client); !s.ok()) return fail(s.message());
  }
  say("ready");

  std::atomic<bool> stop{false};
  std::thread compactor([&] {
    while (!stop) {
      for (const char* id : kDocs) {
        auto r = compact(*storage, id);
        if (!r) say("compaction-error " + r.error());
        else if (r->compacted) say("compacted " + std::string(id) + " " + std::to_string(r->covers));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
  });

  std::mutex m;
  std::condition_variable slot;
  int in_flight = 0;
  auto deadline = std::chrono::steady_clock::now() + kMaxRun;
  for (size_t i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
    const char* id = kDocs[i % 3];
    {
      std::unique_lock lock(m);
      slot.wait(lock, [&] { return in_flight < kMaxInFlight; });
      ++in_flight;
    }
    storage->append(id, type_next(typists[id]), [&, id](Result<LogPosition> r) {
      say(r.ok() ? "ack " + std::string(id) + " " + std::to_string(*r) : "error " + r.error());
      std::lock_guard lock(m);
      --in_flight;
      slot.notify_one();
    });
  }
  stop = true;
  compactor.join();
  storage->close();
  return 0;
}
