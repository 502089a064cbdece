// WsSession: one client's WebSocket connection to one document, speaking the y-websocket
// protocol (docs/wire.md). Boost.Beast performs the upgrade handshake; then the session frames
// messages itself (ws_frame.h says why): it reads whatever the socket has into its thread's
// scratch buffer, parses frames under the message cap and the per-connection token buckets,
// hands messages to the document's Room, and writes what the room sends with one writev
// whenever the socket takes it, keeping only what it did not take, under a byte cap (a client
// that stops reading is closed with 4408). An idle connection holds no buffer. Lives on its
// document's I/O thread; owned by itself (shared_from_this) while an operation is pending and
// by its Room while joined.
#pragma once

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <vector>

#include "protocol/close_codes.h"
#include "server/handler_memory.h"
#include "server/http_session.h"
#include "server/server_context.h"
#include "server/token_bucket.h"
#include "server/ws_frame.h"

namespace tandem::server {

class Room;

class WsSession : public std::enable_shared_from_this<WsSession>, private ws::FrameSink {
 public:
  //! A message to send: shared, so one encoding serves every receiver.
  using Frame = std::shared_ptr<const std::vector<uint8_t>>;

  WsSession(ServerContext& ctx, IoThread& thread, boost::asio::ip::tcp::socket socket, WsTarget target,
            IpSlot slot);
  ~WsSession() override;
  WsSession(const WsSession&) = delete;
  WsSession& operator=(const WsSession&) = delete;

  //! Completes the WebSocket handshake for `upgrade`, then joins the document's room.
  void start(Request upgrade);
  //! Starts reading messages (the room calls it once the document is loaded).
  void start_reading();
  //! Queues a binary message. Over max_send_queue_bytes the client is closed (4408).
  void send(Frame frame);
  //! Closes with `code` after what is being written, dropping the rest of the queue.
  void close(protocol::CloseCode code, std::string reason);

  uint64_t id() const { return id_; }
  const std::string& doc_id() const { return target_.doc_id; }
  bool wants_ack() const { return target_.wants_ack; }
  bool closing() const { return closing_; }

 private:
  //! A frame being sent: its header and the shared payload, and how much of both is written.
  struct Outgoing {
    Frame payload;
    uint8_t header[ws::kMaxServerHeader];
    uint8_t header_size = 0;
    size_t written = 0;  // of header + payload
    size_t size() const { return header_size + payload->size(); }
  };

  void on_accept(boost::system::error_code ec);
  //! Reads what the socket has, parses it, and waits for more (or pauses for backpressure).
  void read_available();
  void wait_readable();
  bool on_message(ws::Opcode opcode, std::span<const uint8_t> payload) override;
  bool on_control(ws::Opcode opcode, std::span<const uint8_t> payload) override;
  void enqueue(ws::Opcode opcode, Frame payload);
  //! Writes as much of the queue as the socket takes now; waits for it to take the rest.
  void flush();
  void on_written_all();
  //! A protocol violation: close with its code at once (no more messages are read).
  void fail(uint16_t code, std::string reason);
  void start_closing(uint16_t code, const std::string& reason);
  void arm_idle_timer();
  //! The connection is over: close the socket and leave the room, once.
  void finish(const char* why, boost::system::error_code ec = {});
  //! Whether reading must wait (storage or this document's commits are behind).
  bool must_pause() const;

  ServerContext& ctx_;
  IoThread& thread_;
  boost::asio::ip::tcp::socket socket_;
  WsTarget target_;
  IpSlot slot_;
  const uint64_t id_;
  ws::FrameParser parser_;
  std::vector<uint8_t> partial_;  // an incomplete frame carried over to the next read
  std::vector<Outgoing> queue_;   // [queue_head_, end) not yet fully written
  size_t queue_head_ = 0;
  size_t queued_bytes_ = 0;
  IoTimer timer_;       // read pauses; the close grace
  IoTimer idle_timer_;  // keep-alive pings and the idle timeout
  // The two operations an idle connection always has pending live inside it (their sizes
  // with Asio 1.81: 208 and 88 bytes).
  HandlerMemory<224> read_wait_memory_;
  HandlerMemory<96> idle_wait_memory_;
  uint64_t reads_ = 0;                    // socket reads that returned data
  uint64_t reads_at_idle_check_ = 0;
  bool ping_sent_ = false;
  bool accepted_ = false;
  bool reading_ = false;
  bool waiting_readable_ = false;
  bool waiting_writable_ = false;
  bool closing_ = false;    // a close frame is queued or sent: no more messages
  bool finished_ = false;
  TokenBucket message_rate_;
  TokenBucket byte_rate_;
  std::shared_ptr<Room> room_;
};

}  // namespace tandem::server
