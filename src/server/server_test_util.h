// Test helpers for the server: a tandemd in the test process on a free loopback port, and a
// small y-websocket client (Beast, blocking with deadlines) holding a real crdt::Doc.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <memory>
#include <optional>
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

//! One y-websocket client: connects to /ws/<doc>, answers the server's sync step 1, applies
//! what it receives to its Doc. Blocking calls take a deadline.
class TestClient {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kTimeout = std::chrono::seconds(5);

  TestClient(uint16_t port, const std::string& doc, bool ack = false, crdt::ClientId client_id = 0)
      : ws_(ioc_), doc_(crdt::DocOptions{.client_id = client_id ? client_id : next_id()}) {
    boost::asio::ip::tcp::resolver resolver(ioc_);
    boost::beast::get_lowest_layer(ws_).connect(resolver.resolve("127.0.0.1", std::to_string(port)));
    ws_.binary(true);
    ws_.handshake("127.0.0.1", "/ws/" + doc + (ack ? "?ack=1" : ""));
    send_step1();  // as a provider does on connect
  }

  crdt::Doc& doc() { return doc_; }
  bool closed() const { return close_code_.has_value(); }
  std::optional<uint16_t> close_code() const { return close_code_; }
  size_t messages() const { return messages_; }
  const std::optional<crdt::StateVector>& last_ack() const { return last_ack_; }

  void send(const std::vector<uint8_t>& message) {
    boost::beast::error_code ec;
    ws_.write(boost::asio::buffer(message), ec);
  }
  //! Sends our state vector (sync step 1), as a provider does on connect.
  void send_step1() { send(protocol::encode_sync_step1(doc_.encode_state_vector())); }
  //! Inserts `text` at the start of root "t" and sends the update.
  std::vector<uint8_t> type(const std::string& text) {
    auto update = doc_.transact([&](crdt::Transaction& t) {
      (void)crdt::text_insert(t, doc_.get("t", crdt::TypeKind::Text), 0, text);
    });
    send(protocol::encode_sync_update(update));
    return update;
  }
  std::string text() { return crdt::text_to_string(doc_.get("t", crdt::TypeKind::Text)); }

  //! Reads one message (handling it) within `timeout`; false on timeout or close. A read
  //! that times out stays pending and completes in a later call.
  bool read_one(std::chrono::milliseconds timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kTimeout)) {
    if (closed()) return false;
    if (!pending_) {
      pending_ = true;
      ws_.async_read(buffer_, [this](boost::beast::error_code ec, size_t) {
        pending_ = false;
        result_ = ec;
      });
    }
    auto deadline = Clock::now() + timeout;
    ioc_.restart();
    while (pending_ && Clock::now() < deadline) ioc_.run_one_until(deadline);
    if (pending_) return false;
    if (result_) {
      close_code_ = result_ == boost::beast::websocket::error::closed ? ws_.reason().code : 0;
      return false;
    }
    ++messages_;
    handle(buffer_.cdata());
    buffer_.consume(buffer_.size());
    return true;
  }
  //! Reads until `pred()` holds; false if it does not within `timeout`.
  template <class Pred>
  bool read_until(Pred pred, std::chrono::milliseconds timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kTimeout)) {
    auto deadline = Clock::now() + timeout;
    while (!pred()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0 || !read_one(left)) return pred();
    }
    return true;
  }
  //! Reads until the connection closes; returns its close code (0: closed without a frame).
  std::optional<uint16_t> wait_closed(std::chrono::milliseconds timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kTimeout)) {
    read_until([&] { return closed(); }, timeout);
    return close_code_;
  }

 private:
  static crdt::ClientId next_id() {
    static std::atomic<crdt::ClientId> id{1000};
    return id.fetch_add(1);
  }
  void handle(boost::asio::const_buffer data) {
    auto msg = protocol::parse_message({static_cast<const uint8_t*>(data.data()), data.size()});
    ASSERT_TRUE(msg.ok()) << msg.error();
    switch (msg->kind) {
      case protocol::MessageKind::kSyncStep1: {
        auto sv = protocol::decode_state_vector(msg->payload);
        ASSERT_TRUE(sv.ok());
        send(protocol::encode_sync_step2(doc_.encode_state_as_update(sv.value())));
        break;
      }
      case protocol::MessageKind::kSyncStep2:
      case protocol::MessageKind::kSyncUpdate:
        ASSERT_TRUE(doc_.apply_update(msg->payload).ok());
        break;
      case protocol::MessageKind::kAck: {
        auto sv = protocol::decode_state_vector(msg->payload);
        ASSERT_TRUE(sv.ok());
        last_ack_ = sv.value();
        break;
      }
      default:
        break;
    }
  }

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  crdt::Doc doc_;
  std::optional<uint16_t> close_code_;
  std::optional<crdt::StateVector> last_ack_;
  size_t messages_ = 0;
  bool pending_ = false;
  boost::beast::error_code result_;
};

}  // namespace tandem::server::testing
