// Test helpers for the server: a tandemd in the test process on a free loopback port, and a
// small y-websocket client (Beast, blocking with deadlines) holding a real crdt::Doc. The
// client's Beast code is compiled once, in server_test_util.cc.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crdt/doc.h"
#include "crdt/text.h"
#include "protocol/close_codes.h"
#include "protocol/messages.h"
#include "server/server.h"
#include "storage/storage.h"

namespace tandem::server::testing {

//! A tandemd on 127.0.0.1:<free port> over `storage`, with settings quick enough for tests.
inline std::unique_ptr<Server> start_server(storage::Storage& storage, ServerConfig config = {}) {
  config.listen = "127.0.0.1:0";
  config.threads = config.threads ? config.threads : 2;
  config.web_root = TANDEM_SOURCE_DIR "/web/public";
  auto server = Server::create(config, storage);
  EXPECT_TRUE(server.ok()) << (server.ok() ? "" : server.error());
  if (!server) return nullptr;
  server.value()->start();
  return std::move(server.value());
}

//! Creates document `id` in `storage` directly (no server involved).
inline void create_doc(storage::Storage& storage, const std::string& id) {
  EXPECT_TRUE(storage.documents().create_document({id, "test", 1, 1}).ok()) << id;
}

//! Sends one HTTP/1.1 request to 127.0.0.1:port and returns the response's status (0 if the
//! exchange failed). Blocking.
int http_status(uint16_t port, const std::string& method, const std::string& target);

//! One y-websocket client: connects to /ws/<doc>, answers the server's sync step 1, applies
//! what it receives to its Doc. Blocking calls take a deadline.
class TestClient {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kTimeout{5000};

  TestClient(uint16_t port, const std::string& doc, bool ack = false, crdt::ClientId client_id = 0);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  crdt::Doc& doc() { return doc_; }
  bool closed() const { return close_code_.has_value(); }
  std::optional<uint16_t> close_code() const { return close_code_; }
  size_t messages() const { return messages_; }
  const std::optional<crdt::StateVector>& last_ack() const { return last_ack_; }

  void send(const std::vector<uint8_t>& message);
  //! Sends our state vector (sync step 1), as a provider does on connect.
  void send_step1() { send(protocol::encode_sync_step1(doc_.encode_state_vector())); }
  //! Inserts `text` at the start of root "t" and sends the update.
  std::vector<uint8_t> type(const std::string& text);
  std::string text() { return crdt::text_to_string(doc_.get("t", crdt::TypeKind::Text)); }

  //! Reads one message (handling it) within `timeout`; false on timeout or close. A read
  //! that times out stays pending and completes in a later call.
  bool read_one(std::chrono::milliseconds timeout = kTimeout);
  //! Reads until `pred()` holds; false if it does not within `timeout`.
  template <class Pred>
  bool read_until(Pred pred, std::chrono::milliseconds timeout = kTimeout) {
    auto deadline = Clock::now() + timeout;
    while (!pred()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0 || !read_one(left)) return pred();
    }
    return true;
  }
  //! Reads until an ack (the client asked for them) covers every edit this client made.
  bool read_until_acked(std::chrono::milliseconds timeout = kTimeout) {
    return read_until(
        [&] {
          const crdt::ClientId id = doc_.client_id();
          return last_ack_ && last_ack_->count(id) && last_ack_->at(id) == doc_.store().state(id);
        },
        timeout);
  }
  //! Reads until the connection closes; returns its close code (0: closed without a frame).
  std::optional<uint16_t> wait_closed(std::chrono::milliseconds timeout = kTimeout) {
    read_until([&] { return closed(); }, timeout);
    return close_code_;
  }

 private:
  struct Connection;  // the Beast WebSocket stream and its io_context
  static crdt::ClientId next_id();
  void handle(std::span<const uint8_t> data);

  std::unique_ptr<Connection> conn_;
  crdt::Doc doc_;
  std::optional<uint16_t> close_code_;
  std::optional<crdt::StateVector> last_ack_;
  size_t messages_ = 0;
};

}  // namespace tandem::server::testing
