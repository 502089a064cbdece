// WsSession: one client's WebSocket connection to one document, speaking the y-websocket
// protocol (docs/wire.md). It accepts the upgrade, joins the document's Room, reads messages
// under the frame cap and the per-connection token buckets, and writes what the room sends it
// from a bounded queue (a client that stops reading is closed with 4408). Lives on its
// document's I/O thread; owned by itself (shared_from_this) while an operation is pending and
// by its Room while joined.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "protocol/close_codes.h"
#include "server/http_session.h"
#include "server/server_context.h"
#include "server/token_bucket.h"

namespace tandem::server {

class Room;

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  //! A message to send: shared, so one encoding serves every receiver.
  using Frame = std::shared_ptr<const std::vector<uint8_t>>;

  WsSession(ServerContext& ctx, boost::asio::ip::tcp::socket socket, WsTarget target, IpSlot slot);
  ~WsSession();
  WsSession(const WsSession&) = delete;
  WsSession& operator=(const WsSession&) = delete;

  //! Completes the WebSocket handshake for `upgrade`, then joins the document's room.
  void start(Request upgrade);
  //! Starts reading messages (the room calls it once the document is loaded).
  void start_reading();
  //! Queues a binary message. Over max_send_queue_bytes the client is closed (4408).
  void send(Frame frame);
  //! Closes with `code` after the message being written, dropping the rest of the queue.
  void close(protocol::CloseCode code, std::string reason);

  uint64_t id() const { return id_; }
  const std::string& doc_id() const { return target_.doc_id; }
  bool wants_ack() const { return target_.wants_ack; }
  bool closing() const { return closing_; }

 private:
  void on_accept(boost::beast::error_code ec);
  void read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void write_next();
  void on_write(boost::beast::error_code ec, size_t bytes);
  void send_close();
  //! The connection is over: leave the room once.
  void finish(const char* why, boost::beast::error_code ec = {});
  //! Whether reading must wait (storage or this document's commits are behind).
  bool must_pause() const;

  ServerContext& ctx_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  WsTarget target_;
  IpSlot slot_;
  const uint64_t id_;
  boost::beast::flat_buffer buffer_;
  boost::asio::steady_timer timer_;  // read pauses; forced close of a stuck write
  std::deque<Frame> queue_;          // front() is being written while writing_
  size_t queued_bytes_ = 0;
  bool accepted_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
  protocol::CloseCode close_code_ = protocol::CloseCode::kNormal;
  std::string close_reason_;
  TokenBucket message_rate_;
  TokenBucket byte_rate_;
  std::shared_ptr<Room> room_;
};

}  // namespace tandem::server
