// Document lifecycle races, each a regression test: clients arriving during a load, a failed
// load, a failed write, a client arriving while an idle document is compacted and unloaded or
// while it is deleted, updates that change nothing, hibernation, and graceful shutdown.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/server_test_util.h"
#include "storage/faulty_storage.h"
#include "storage/memory_storage.h"

namespace tandem::server {
namespace {

using testing::create_doc;
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

//! A DocumentStore whose deletions wait at a gate.
class GatedDocuments final : public storage::DocumentStore {
 public:
  explicit GatedDocuments(storage::DocumentStore& inner) : inner_(inner) {}
  Status create_document(const storage::DocumentMeta& meta) override { return inner_.create_document(meta); }
  Result<std::optional<storage::DocumentMeta>> get_document(const storage::DocId& id) override {
    return inner_.get_document(id);
  }
  Result<storage::DocumentPage> list_documents(const storage::ListOptions& options) override {
    return inner_.list_documents(options);
  }
  Result<bool> rename_document(const storage::DocId& id, const std::string& title, storage::TimeMs now) override {
    return inner_.rename_document(id, title, now);
  }
  Status touch_document(const storage::DocId& id, storage::TimeMs updated_ms) override {
    return inner_.touch_document(id, updated_ms);
  }
  Result<bool> delete_document(const storage::DocId& id) override {
    delete_gate.pass();
    return inner_.delete_document(id);
  }
  Result<std::optional<storage::Snapshot>> load_snapshot(const storage::DocId& id) override {
    return inner_.load_snapshot(id);
  }
  Status save_snapshot(const storage::DocId& id, const storage::Snapshot& snapshot) override {
    return inner_.save_snapshot(id, snapshot);
  }
  Result<storage::VersionInfo> create_version(const storage::DocId& id, const std::string& name, bool automatic,
                                              const std::vector<uint8_t>& state, storage::TimeMs now) override {
    return inner_.create_version(id, name, automatic, state, now);
  }
  Result<std::vector<storage::VersionInfo>> list_versions(const storage::DocId& id) override {
    return inner_.list_versions(id);
  }
  Result<std::optional<std::vector<uint8_t>>> version_state(const storage::DocId& id, int64_t version) override {
    return inner_.version_state(id, version);
  }

  Gate delete_gate;

 private:
  storage::DocumentStore& inner_;
};

//! Storage whose loads, snapshot replacements and deletions wait at gates, and which counts
//! loads.
class GatedStorage final : public storage::Storage {
 public:
  explicit GatedStorage(storage::Storage& inner) : inner_(inner), documents_(inner.documents()) {}
  storage::UpdateLog& log() override { return inner_.log(); }
  storage::DocumentStore& documents() override { return documents_; }
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
  Gate& delete_gate() { return documents_.delete_gate; }

 private:
  storage::Storage& inner_;
  GatedDocuments documents_;
};


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

TEST(Lifecycle, AClientJoiningWhileItsDocumentIsDeletedIsNeverServed) {
  storage::MemoryStorage mem;
  GatedStorage st(mem);
  auto server = start_server(st);
  create_doc(st, "d9");
  TestClient a(server->port(), "d9");
  ASSERT_TRUE(a.read_one());
  a.type("doomed");
  // The deletion closes the room's clients, then waits at the gate before the storage delete.
  st.delete_gate().close();
  int status = 0;
  std::thread deleter([&] { status = testing::http_status(server->port(), "DELETE", "/api/docs/d9"); });
  EXPECT_EQ(a.wait_closed(), static_cast<uint16_t>(protocol::CloseCode::kUnknownDocument));
  ASSERT_TRUE(st.delete_gate().someone_waiting(5s));
  // The document is still in storage: a client arriving now must wait, not load it again.
  TestClient late(server->port(), "d9");
  EXPECT_FALSE(late.read_one(300ms)) << "served a document being deleted";
  st.delete_gate().open();
  deleter.join();
  EXPECT_EQ(status, 204);
  EXPECT_EQ(late.wait_closed(), static_cast<uint16_t>(protocol::CloseCode::kUnknownDocument));
}

TEST(Lifecycle, AnUpdateThatChangesNothingIsNotStored) {
  storage::MemoryStorage st;
  auto server = start_server(st);
  create_doc(st, "d5");
  TestClient a(server->port(), "d5", /*ack=*/true);
  ASSERT_TRUE(a.read_one());
  auto update = a.type("once");
  ASSERT_TRUE(a.read_until_acked());
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
  ASSERT_TRUE(a.read_until_acked());
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

//! Waits (bounded) until `n` documents of `server` hibernate.
bool hibernating(Server& server, int64_t n) {
  for (int i = 0; i < 500; ++i) {
    if (server.context().metrics.documents_hibernating.load() == n) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST(Lifecycle, AQuietDocumentHibernatesServesJoinsFromItsEncodingAndWakesForAnEdit) {
  storage::MemoryStorage st;
  ServerConfig config;
  config.hibernate_after_s = 0.1;
  auto server = start_server(st, config);
  auto& metrics = server->context().metrics;
  create_doc(st, "d8");
  TestClient a(server->port(), "d8", /*ack=*/true);
  ASSERT_TRUE(a.read_one());
  a.type("world");
  a.type("hello ");
  ASSERT_TRUE(a.read_until_acked());
  EXPECT_EQ(a.last_ack()->at(a.doc().client_id()), 11u);
  ASSERT_TRUE(hibernating(*server, 1));
  const uint64_t wakes = metrics.wakes.load();
  // A fresh client joins without waking the document: greeted from the encoded state vector,
  // answered from the encoding (its own empty answer changes nothing).
  TestClient b(server->port(), "d8");
  ASSERT_TRUE(b.read_until([&] { return b.text() == "hello world"; })) << b.text();
  // Asking again with what it has now: the difference is computed on the encoding.
  b.send_step1();
  ASSERT_TRUE(b.read_one());
  EXPECT_EQ(b.text(), "hello world");
  EXPECT_EQ(metrics.wakes.load(), wakes);
  EXPECT_EQ(metrics.documents_hibernating.load(), 1);
  // An edit wakes it and reaches everyone.
  b.type("> ");
  ASSERT_TRUE(a.read_until([&] { return a.text() == "> hello world"; })) << a.text();
  EXPECT_EQ(metrics.wakes.load(), wakes + 1);
  // It hibernates again; an edit then is applied to the rebuilt document, not to an empty one.
  ASSERT_TRUE(hibernating(*server, 1));
  a.type("# ");
  ASSERT_TRUE(b.read_until([&] { return b.text() == "# > hello world"; })) << b.text();
  TestClient c(server->port(), "d8");
  ASSERT_TRUE(c.read_until([&] { return c.text() == "# > hello world"; })) << c.text();
  auto entries = st.log().read_after("d8", 0);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 4u);
  EXPECT_GE(metrics.hibernations.load(), 2u);
  // An export of a hibernating document reads the encoding.
  ASSERT_TRUE(hibernating(*server, 1));
  EXPECT_EQ(testing::http_status(server->port(), "GET", "/api/docs/d8/export?format=text"), 200);
  EXPECT_EQ(metrics.documents_hibernating.load(), 1);
}

TEST(Lifecycle, AnInvalidUpdateToAHibernatingDocumentClosesItsSenderAndChangesNothing) {
  storage::MemoryStorage st;
  ServerConfig config;
  config.hibernate_after_s = 0.1;
  auto server = start_server(st, config);
  create_doc(st, "d9");
  TestClient a(server->port(), "d9", /*ack=*/true);
  ASSERT_TRUE(a.read_one());
  a.type("safe");
  ASSERT_TRUE(a.read_until_acked());
  TestClient bad(server->port(), "d9");
  ASSERT_TRUE(bad.read_until([&] { return bad.text() == "safe"; }));
  ASSERT_TRUE(hibernating(*server, 1));
  // A struct whose content is cut short: it decodes only after the document is rebuilt.
  bad.send(protocol::encode_sync_update(std::vector<uint8_t>{1, 1, 5, 0, 4, 9}));
  EXPECT_EQ(bad.wait_closed(), static_cast<uint16_t>(protocol::CloseCode::kMalformed));
  // The others go on: the document is as it was and takes the next edit.
  a.type("still ");
  TestClient c(server->port(), "d9");
  ASSERT_TRUE(c.read_until([&] { return c.text() == "still safe"; })) << c.text();
  auto entries = st.log().read_after("d9", 0);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 2u);
}

TEST(Lifecycle, AResyncOfKnownDeletionsLeavesAHibernatingDocumentAsleep) {
  storage::MemoryStorage st;
  ServerConfig config;
  config.hibernate_after_s = 0.1;
  auto server = start_server(st, config);
  auto& metrics = server->context().metrics;
  create_doc(st, "d10");
  TestClient a(server->port(), "d10");
  ASSERT_TRUE(a.read_one());
  a.type("hello world");
  crdt::Type* a_text = a.doc().get("t", crdt::TypeKind::Text);
  a.send(protocol::encode_sync_update(
      a.doc().transact([&](crdt::Transaction& t) { (void)crdt::text_delete(t, a_text, 4, 3); })));
  TestClient b(server->port(), "d10");
  ASSERT_TRUE(b.read_until([&] { return b.text() == "hellorld"; })) << b.text();
  ASSERT_TRUE(hibernating(*server, 1));
  const uint64_t wakes = metrics.wakes.load();
  const uint64_t dropped = metrics.updates_dropped.load();
  // What a client reconnecting with nothing new answers a sync step 1 with: no structs, and
  // its whole delete set, which the document has. The step 1 sent after it makes the server
  // answer once it has handled the resync (b may still hold earlier messages: reading one is
  // no sign of it).
  const auto resync = b.doc().encode_state_as_update(b.doc().state_vector());
  ASSERT_GT(resync.size(), 2u);
  b.send(protocol::encode_sync_step2(resync));
  b.send_step1();
  ASSERT_TRUE(b.read_until([&] { return metrics.updates_dropped.load() == dropped + 1; }));
  EXPECT_EQ(metrics.wakes.load(), wakes);
  EXPECT_EQ(metrics.documents_hibernating.load(), 1);
  // A deletion the document lacks wakes it, is stored and reaches the others.
  crdt::Type* b_text = b.doc().get("t", crdt::TypeKind::Text);
  b.send(protocol::encode_sync_update(
      b.doc().transact([&](crdt::Transaction& t) { (void)crdt::text_delete(t, b_text, 0, 1); })));
  ASSERT_TRUE(a.read_until([&] { return a.text() == "ellorld"; })) << a.text();
  EXPECT_EQ(metrics.wakes.load(), wakes + 1);
  auto entries = st.log().read_after("d10", 0);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 3u);
}

TEST(Lifecycle, ShutdownCommitsThenClosesWithServiceRestart) {
  storage::MemoryStorage st;
  auto server = start_server(st);
  create_doc(st, "d6");
  TestClient a(server->port(), "d6", /*ack=*/true);
  ASSERT_TRUE(a.read_one());
  a.type("saved");
  ASSERT_TRUE(a.read_until_acked());
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
