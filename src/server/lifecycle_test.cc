// Document lifecycle races, each a regression test: clients arriving during a load, a failed
// load, a failed write, a client arriving while an idle document is compacted and unloaded,
// updates that change nothing, and graceful shutdown.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/server_test_util.h"
#include "storage/faulty_storage.h"
#include "storage/memory_storage.h"

namespace tandem::server {
namespace {

using testing::start_server;
using testing::TestClient;
using namespace std::chrono_literals;

//! A gate a storage call waits at until the test opens it.
class Gate {
 public:
  void close() {
    std::lock_guard l(mu_);
    open_ = false;
  }
  void open() {
    {
      std::lock_guard l(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void pass() {
    std::unique_lock l(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(l, [&] { return open_; });
    --waiting_;
  }
  bool someone_waiting(std::chrono::milliseconds timeout) {
    std::unique_lock l(mu_);
    return cv_.wait_for(l, timeout, [&] { return waiting_ > 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  int waiting_ = 0;
};

//! Storage whose loads and snapshot replacements wait at gates, and which counts loads.
class GatedStorage final : public storage::Storage {
 public:
  explicit GatedStorage(storage::Storage& inner) : inner_(inner) {}
  storage::UpdateLog& log() override { return inner_.log(); }
  storage::DocumentStore& documents() override { return inner_.documents(); }
  Result<storage::StoredDocument> load_document(const storage::DocId& doc) override {
    ++loads;
    load_gate.pass();
    return inner_.load_document(doc);
  }
  Status replace_snapshot(const storage::DocId& doc, const storage::Snapshot& snapshot) override {
    snapshot_gate.pass();
    return inner_.replace_snapshot(doc, snapshot);
  }
  void close() override { inner_.close(); }

  std::atomic<int> loads{0};
  Gate load_gate, snapshot_gate;

 private:
  storage::Storage& inner_;
};

std::string create_doc(storage::Storage& st, const std::string& id) {
  EXPECT_TRUE(st.documents().create_document({id, "test", 1, 1}).ok());
  return id;
}

TEST(Lifecycle, ClientsArrivingDuringALoadShareItAndWaitForIt) {
  storage::MemoryStorage mem;
  GatedStorage st(mem);
  auto server = start_server(st);
  create_doc(st, "d1");
  st.load_gate.close();
  TestClient a(server->port(), "d1");
  ASSERT_TRUE(st.load_gate.someone_waiting(5s));
  TestClient b(server->port(), "d1");
  // Nothing is served before the load finishes.
  EXPECT_FALSE(a.read_one(300ms));
  EXPECT_FALSE(b.read_one(100ms));
  st.load_gate.open();
  EXPECT_TRUE(a.read_one());  // sync step 1
  EXPECT_TRUE(b.read_one());
  EXPECT_EQ(st.loads.load(), 1);
  a.type("x");
  EXPECT_TRUE(b.read_until([&] { return b.text() == "x"; }));
}

TEST(Lifecycle, AFailedLoadClosesClientsAndNeverServesAnEmptyDocument) {
  storage::FaultyStorage st(std::make_unique<storage::MemoryStorage>());
  auto server = start_server(st);
  create_doc(st, "d2");
  {
    TestClient writer(server->port(), "d2");
    ASSERT_TRUE(writer.read_one());
    writer.type("kept");
    TestClient reader(server->port(), "d2");
    ASSERT_TRUE(reader.read_until([&] { return reader.text() == "kept"; }));
  }
  // Unload by restarting the server on the same storage, then fail the reads.
  server.reset();
  server = start_server(st);
  st.fail_reads(true);
  TestClient c(server->port(), "d2");
  EXPECT_EQ(c.wait_closed(), static_cast<uint16_t>(protocol::CloseCode::kLoadFailed));
  EXPECT_EQ(c.messages(), 0u) << "nothing may be served from a failed load";
  // The next client loads afresh and sees the content.
  st.fail_reads(false);
  TestClient d(server->port(), "d2");
  EXPECT_TRUE(d.read_until([&] { return d.text() == "kept"; }));
}

TEST(Lifecycle, AFailedWriteClosesTheDocumentsClientsAndLosesNothingAcknowledged) {
  storage::FaultyStorage st(std::make_unique<storage::MemoryStorage>());
  auto server = start_server(st);
  create_doc(st, "d3");
  TestClient a(server->port(), "d3", /*ack=*/true);
  TestClient b(server->port(), "d3");
  ASSERT_TRUE(a.read_one());
  ASSERT_TRUE(b.read_one());
  a.type("one ");
  ASSERT_TRUE(b.read_until([&] { return b.text() == "one "; }));
  st.fail_next_appends(1);
  auto lost = a.type("two ");
  EXPECT_EQ(a.wait_closed(), static_cast<uint16_t>(protocol::CloseCode::kStorageUnavailable));
  EXPECT_EQ(b.wait_closed(), static_cast<uint16_t>(protocol::CloseCode::kStorageUnavailable));
  EXPECT_EQ(b.text(), "one ") << "an update that was not stored must not reach anyone";
  // A reconnecting client sees what was stored, and its resent edit is stored this time.
  TestClient c(server->port(), "d3");
  ASSERT_TRUE(c.read_until([&] { return c.text() == "one "; }));
  c.send(protocol::encode_sync_update(lost));
  TestClient d(server->port(), "d3");
  EXPECT_TRUE(d.read_until([&] { return d.text() == "two one "; }));
}

TEST(Lifecycle, AClientArrivingDuringUnloadWaitsForTheCompaction) {
  storage::MemoryStorage mem;
  GatedStorage st(mem);
  ServerConfig config;
  config.idle_unload_s = 0.05;
  config.threads = 1;
  auto server = start_server(st, config);
  create_doc(st, "d4");
  st.snapshot_gate.close();
  {
    TestClient a(server->port(), "d4");
    ASSERT_TRUE(a.read_one());
    a.type("before unload");
    TestClient b(server->port(), "d4");
    ASSERT_TRUE(b.read_until([&] { return b.text() == "before unload"; }));
  }
  // The idle room compacts (held at the gate) and unloads.
  ASSERT_TRUE(st.snapshot_gate.someone_waiting(5s));
  TestClient c(server->port(), "d4");
  EXPECT_FALSE(c.read_one(300ms)) << "the load must wait for the compaction";
  st.snapshot_gate.open();
  EXPECT_TRUE(c.read_until([&] { return c.text() == "before unload"; }));
}

TEST(Lifecycle, AnUpdateThatChangesNothingIsNotStored) {
  storage::MemoryStorage st;
  auto server = start_server(st);
  create_doc(st, "d5");
  TestClient a(server->port(), "d5", /*ack=*/true);
  ASSERT_TRUE(a.read_one());
  auto update = a.type("once");
  ASSERT_TRUE(a.read_until([&] { return a.last_ack() && a.last_ack()->count(a.doc().client_id()); }));
  a.send(protocol::encode_sync_update(update));
  a.send(protocol::encode_sync_update(update));
  TestClient b(server->port(), "d5");
  ASSERT_TRUE(b.read_until([&] { return b.text() == "once"; }));
  auto entries = st.log().read_after("d5", 0);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 1u);
}

TEST(Lifecycle, FreshClientsShareASyncReplyButNeverAStaleOne) {
  storage::MemoryStorage st;
  auto server = start_server(st);
  create_doc(st, "d7");
  TestClient a(server->port(), "d7", /*ack=*/true);
  ASSERT_TRUE(a.read_one());
  a.type("one ");
  ASSERT_TRUE(a.read_until([&] { return a.last_ack() && a.last_ack()->count(a.doc().client_id()); }));
  // Two fresh clients ask with the same (empty) state vector: the second gets the first's reply.
  TestClient b(server->port(), "d7");
  ASSERT_TRUE(b.read_until([&] { return b.text() == "one "; }));
  TestClient c(server->port(), "d7");
  ASSERT_TRUE(c.read_until([&] { return c.text() == "one "; }));
  // After an edit the next fresh client must see it.
  a.type("two ");
  ASSERT_TRUE(b.read_until([&] { return b.text() == "two one "; }));
  TestClient d(server->port(), "d7");
  ASSERT_TRUE(d.read_until([&] { return d.text() == "two one "; })) << d.text();
  // And an edit made while fresh clients keep arriving.
  b.type("three ");
  ASSERT_TRUE(a.read_until([&] { return a.text() == "three two one "; }));
  TestClient e(server->port(), "d7");
  ASSERT_TRUE(e.read_until([&] { return e.text() == "three two one "; })) << e.text();
}

TEST(Lifecycle, ShutdownCommitsThenClosesWithServiceRestart) {
  storage::MemoryStorage st;
  auto server = start_server(st);
  create_doc(st, "d6");
  TestClient a(server->port(), "d6", /*ack=*/true);
  ASSERT_TRUE(a.read_one());
  a.type("saved");
  ASSERT_TRUE(a.read_until([&] { return a.last_ack() && a.last_ack()->count(a.doc().client_id()); }));
  std::thread stopper([&] { server.reset(); });
  EXPECT_EQ(a.wait_closed(), static_cast<uint16_t>(protocol::CloseCode::kServiceRestart));
  stopper.join();
  auto stored = st.load_document("d6");
  ASSERT_TRUE(stored.ok());
  crdt::Doc doc;
  for (const auto& e : stored->tail) ASSERT_TRUE(doc.apply_update(e.update).ok());
  if (stored->snapshot) {
    ASSERT_TRUE(doc.apply_update(stored->snapshot->state).ok());
  }
  EXPECT_EQ(crdt::text_to_string(doc.get("t", crdt::TypeKind::Text)), "saved");
}

}  // namespace
}  // namespace tandem::server
