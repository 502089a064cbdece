#include "server/ws_session.h"

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <spdlog/spdlog.h>

#include "server/room.h"
#include "server/room_registry.h"

namespace tandem::server {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using boost::system::error_code;
using protocol::CloseCode;
using tcp = asio::ip::tcp;

namespace {
// While reads are paused for backpressure, check again this often.
constexpr auto kPausePoll = std::chrono::milliseconds(2);
// A close that cannot be completed (the client neither reads nor answers) gives up after this.
constexpr auto kCloseGrace = std::chrono::seconds(2);
// The upgrade handshake must finish within this.
constexpr auto kHandshakeTimeout = std::chrono::seconds(30);
// Socket reads per turn before other connections on the thread get theirs.
constexpr int kReadsPerTurn = 4;
// Frames written by one writev at most.
constexpr size_t kFramesPerWrite = 32;
// RFC 6455 close codes the session itself uses.
constexpr uint16_t kCloseNormal = 1000;
constexpr uint16_t kCloseProtocolError = 1002;
constexpr uint16_t kCloseTooBig = 1009;
}  // namespace

WsSession::WsSession(ServerContext& ctx, IoThread& thread, tcp::socket socket, WsTarget target, IpSlot slot)
    : ctx_(ctx),
      thread_(thread),
      socket_(std::move(socket)),
      target_(std::move(target)),
      slot_(std::move(slot)),
      id_(ctx.next_connection_id.fetch_add(1, std::memory_order_relaxed)),
      parser_(ctx.config.max_frame_bytes),
      timer_(thread.ioc),
      idle_timer_(thread.ioc),
      message_rate_(ctx.config.messages_per_second, ctx.config.message_burst),
      byte_rate_(ctx.config.bytes_per_second, ctx.config.byte_burst) {}

WsSession::~WsSession() {
  if (accepted_) ctx_.metrics.connections.fetch_sub(1, std::memory_order_relaxed);
  ctx_.metrics.send_queue_bytes.fetch_sub(static_cast<int64_t>(queued_bytes_), std::memory_order_relaxed);
}

// --- handshake -------------------------------------------------------------------------------

void WsSession::start(Request upgrade) {
  // Beast validates the upgrade and answers 101; the stream lives only for the handshake.
  auto hs = std::make_shared<websocket::stream<tcp::socket>>(std::move(socket_));
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kHandshakeTimeout;
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  hs->set_option(timeouts);
  hs->set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(beast::http::field::server, "tandemd");
    res.set(beast::http::field::cache_control, "no-store");
  }));
  hs->async_accept(upgrade, [self = shared_from_this(), hs](error_code ec) {
    self->socket_ = std::move(hs->next_layer());
    self->on_accept(ec);
  });
}

void WsSession::on_accept(error_code ec) {
  if (ec) return finish("handshake failed", ec);
  socket_.non_blocking(true, ec);
  if (ec) return finish("handshake failed", ec);
  socket_.set_option(tcp::no_delay(true), ec);
  accepted_ = true;
  ctx_.metrics.connections.fetch_add(1, std::memory_order_relaxed);
  ctx_.metrics.connections_total.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("conn={} doc={} ip={} connected", id_, target_.doc_id, slot_.ip());
  arm_idle_timer();
  if (ctx_.stopping.load()) return close(CloseCode::kServiceRestart, "server restarting");
  room_ = thread_.rooms->get(target_.doc_id);
  room_->join(shared_from_this());
}

// --- reading ---------------------------------------------------------------------------------

void WsSession::start_reading() {
  if (reading_ || closing_ || finished_) return;
  reading_ = true;
  // Not now: the room may be iterating its sessions (greeting everyone after the load).
  asio::post(thread_.ioc, [self = shared_from_this()] { self->read_available(); });
}

bool WsSession::must_pause() const {
  if (room_ && room_->backpressure()) return true;
  if (ctx_.storage->log().backlogged()) return true;
  return ctx_.metrics.uncommitted_bytes.load(std::memory_order_relaxed) >
         static_cast<int64_t>(ctx_.config.max_storage_backlog_bytes);
}

void WsSession::wait_readable() {
  if (waiting_readable_ || finished_) return;
  waiting_readable_ = true;
  socket_.async_wait(tcp::socket::wait_read,
                     bind_memory(read_wait_memory_, [self = shared_from_this()](error_code ec) {
                       self->waiting_readable_ = false;
                       if (ec) return self->finish("read ended", ec);
                       self->read_available();
                     }));
}

void WsSession::read_available() {
  for (int turn = 0; turn < kReadsPerTurn; ++turn) {
    if (finished_) return;
    if (!closing_ && must_pause()) {
      // TCP backpressure: leave the client's bytes in the kernel until storage catches up.
      timer_.expires_after(kPausePoll);
      timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec) self->read_available();
      });
      return;
    }
    std::vector<uint8_t>& scratch = thread_.read_buffer;
    error_code ec;
    size_t n = socket_.read_some(asio::buffer(scratch), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return wait_readable();
    if (ec) return finish("read ended", ec);
    ++reads_;
    ping_sent_ = false;
    ctx_.metrics.bytes_received.fetch_add(n, std::memory_order_relaxed);
    std::span<uint8_t> data(scratch.data(), n);
    if (!partial_.empty()) {
      partial_.insert(partial_.end(), data.begin(), data.end());
      data = partial_;
    }
    auto outcome = parser_.parse(data, *this);
    if (outcome.failed) {
      if (!closing_) {  // counted once: what a client sends after our close is only drained
        ctx_.metrics.reject(outcome.error.close_code == kCloseTooBig ? Rejection::kFrameTooBig : Rejection::kMalformed);
      }
      return fail(outcome.error.close_code, outcome.error.message);
    }
    if (finished_) return;
    // Keep an incomplete frame for the next read (copied out of the scratch buffer).
    std::vector<uint8_t> rest(data.begin() + static_cast<ptrdiff_t>(outcome.consumed), data.end());
    partial_.swap(rest);
    if (outcome.stopped && !closing_) return;
  }
  // More may be waiting: continue after the other connections' turns.
  asio::post(thread_.ioc, [self = shared_from_this()] { self->read_available(); });
}

bool WsSession::on_message(ws::Opcode opcode, std::span<const uint8_t> payload) {
  if (closing_) return true;  // draining until the client's close
  if (opcode != ws::Opcode::kBinary) {
    ctx_.metrics.reject(Rejection::kMalformed);
    close(CloseCode::kMalformed, "binary messages only");
    return true;
  }
  if (!message_rate_.take(1) || !byte_rate_.take(static_cast<double>(payload.size()))) {
    ctx_.metrics.reject(Rejection::kRateLimited);
    close(CloseCode::kRateLimited, "over the message or byte rate limit");
    return true;
  }
  if (room_) room_->on_message(*this, payload);
  return !finished_;
}

bool WsSession::on_control(ws::Opcode opcode, std::span<const uint8_t> payload) {
  switch (opcode) {
    case ws::Opcode::kPing:
      if (!closing_) enqueue(ws::Opcode::kPong, std::make_shared<const std::vector<uint8_t>>(payload.begin(), payload.end()));
      return true;
    case ws::Opcode::kPong:
      return true;
    case ws::Opcode::kClose: {
      if (payload.size() == 1) {
        fail(kCloseProtocolError, "close frame with a 1-byte payload");
        return false;
      }
      if (closing_) {
        // Our close was answered: the connection is over.
        finish("closed");
        return false;
      }
      // The client closes: answer with its code, then end the connection.
      uint16_t code = payload.size() >= 2 ? static_cast<uint16_t>(payload[0] << 8 | payload[1]) : kCloseNormal;
      start_closing(code, "");
      return false;
    }
    default:
      return true;
  }
}

// --- writing ---------------------------------------------------------------------------------

void WsSession::send(Frame frame) {
  if (closing_ || finished_ || !accepted_) return;
  if (queued_bytes_ + frame->size() > ctx_.config.max_send_queue_bytes) {
    ctx_.metrics.reject(Rejection::kSlowConsumer);
    return close(CloseCode::kSlowConsumer, "send queue full: the client stopped reading");
  }
  enqueue(ws::Opcode::kBinary, std::move(frame));
}

void WsSession::enqueue(ws::Opcode opcode, Frame payload) {
  Outgoing out;
  out.header_size = static_cast<uint8_t>(ws::encode_frame_header(opcode, payload->size(), out.header));
  out.payload = std::move(payload);
  queued_bytes_ += out.size();
  ctx_.metrics.send_queue_bytes.fetch_add(static_cast<int64_t>(out.size()), std::memory_order_relaxed);
  queue_.push_back(std::move(out));
  if (!waiting_writable_) flush();
}

void WsSession::flush() {
  while (queue_head_ < queue_.size() && !finished_) {
    // One writev for up to kFramesPerWrite frames, each its header and payload, from where
    // the last write stopped.
    std::array<asio::const_buffer, 2 * kFramesPerWrite> buffers;
    size_t count = 0;
    for (size_t i = queue_head_; i < queue_.size() && count < buffers.size(); ++i) {
      const Outgoing& o = queue_[i];
      size_t skip = i == queue_head_ ? o.written : 0;
      if (skip < o.header_size) buffers[count++] = asio::buffer(o.header + skip, o.header_size - skip);
      size_t body_skip = skip > o.header_size ? skip - o.header_size : 0;
      buffers[count++] = asio::buffer(o.payload->data() + body_skip, o.payload->size() - body_skip);
    }
    error_code ec;
    size_t n = socket_.write_some(std::span(buffers.data(), count), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      waiting_writable_ = true;
      socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](error_code wec) {
        self->waiting_writable_ = false;
        if (wec) return self->finish("write failed", wec);
        self->flush();
      });
      return;
    }
    if (ec) {
      // Not now: the room may be iterating its sessions (a broadcast). Nothing more is written.
      waiting_writable_ = true;
      asio::post(thread_.ioc, [self = shared_from_this(), ec] { self->finish("write failed", ec); });
      return;
    }
    ctx_.metrics.bytes_sent.fetch_add(n, std::memory_order_relaxed);
    // Retire what was written whole.
    while (n > 0 && queue_head_ < queue_.size()) {
      Outgoing& o = queue_[queue_head_];
      size_t left = o.size() - o.written;
      if (n < left) {
        o.written += n;
        n = 0;
        break;
      }
      n -= left;
      queued_bytes_ -= o.size();
      ctx_.metrics.send_queue_bytes.fetch_sub(static_cast<int64_t>(o.size()), std::memory_order_relaxed);
      ctx_.metrics.messages_sent.fetch_add(1, std::memory_order_relaxed);
      o.payload.reset();
      ++queue_head_;
    }
  }
  if (queue_head_ == queue_.size()) on_written_all();
}

void WsSession::on_written_all() {
  queue_.clear();
  if (queue_.capacity() > 8) queue_.shrink_to_fit();  // an idle connection keeps no queue
  queue_head_ = 0;
  if (!closing_ || finished_) return;
  // Our close frame is out: no more data from us. Wait (briefly) for the client's close.
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
}

// --- closing ---------------------------------------------------------------------------------

void WsSession::close(CloseCode code, std::string reason) {
  if (closing_ || finished_) return;
  spdlog::info("conn={} doc={} closing: {} {}", id_, target_.doc_id, static_cast<int>(code), reason);
  start_closing(static_cast<uint16_t>(code), reason);
}

void WsSession::fail(uint16_t code, std::string reason) {
  if (finished_) return;
  spdlog::info("conn={} doc={} protocol error: {} {}", id_, target_.doc_id, code, reason);
  if (closing_) return finish("protocol error while closing");
  start_closing(code, reason);
}

void WsSession::start_closing(uint16_t code, const std::string& reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  if (room_) {
    // Not now: the room may be iterating its sessions (a broadcast that overflowed our queue).
    asio::post(thread_.ioc, [self = shared_from_this()] { self->room_->leave(*self); });
  }
  if (!accepted_) return finish("closed before the handshake");
  // Drop what is queued behind a partly written frame; the close frame goes next.
  size_t keep = queue_head_ < queue_.size() && queue_[queue_head_].written > 0 ? queue_head_ + 1 : queue_head_;
  for (size_t i = keep; i < queue_.size(); ++i) {
    queued_bytes_ -= queue_[i].size();
    ctx_.metrics.send_queue_bytes.fetch_sub(static_cast<int64_t>(queue_[i].size()), std::memory_order_relaxed);
  }
  queue_.resize(keep);
  enqueue(ws::Opcode::kClose, std::make_shared<const std::vector<uint8_t>>(ws::close_payload(code, reason)));
  // If the client does not read or does not answer, give up after a grace.
  timer_.expires_after(kCloseGrace);
  timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->finish("closed: the client did not complete the close");
  });
  // Keep reading for the client's close frame (messages are ignored now). Not now: this may
  // run inside a read, or inside the room's loop over its sessions.
  if (!waiting_readable_) asio::post(thread_.ioc, [self = shared_from_this()] { self->read_available(); });
}

void WsSession::arm_idle_timer() {
  if (ctx_.config.idle_timeout_s <= 0) return;
  auto half = std::chrono::milliseconds(static_cast<int64_t>(ctx_.config.idle_timeout_s * 500));
  reads_at_idle_check_ = reads_;
  idle_timer_.expires_after(half);
  idle_timer_.async_wait(bind_memory(idle_wait_memory_, [self = shared_from_this()](error_code ec) {
    if (ec || self->finished_) return;
    if (self->reads_ != self->reads_at_idle_check_) return self->arm_idle_timer();
    if (self->ping_sent_) return self->finish("idle timeout: no answer to a ping");
    // Silent for half the timeout: ping; silent for the rest too: give up.
    if (!self->closing_) {
      self->ping_sent_ = true;
      self->enqueue(ws::Opcode::kPing, std::make_shared<const std::vector<uint8_t>>());
    }
    self->arm_idle_timer();
  }));
}

void WsSession::finish(const char* why, error_code ec) {
  if (finished_) return;
  finished_ = true;
  timer_.cancel();
  idle_timer_.cancel();
  if (ec && ec != asio::error::eof && ec != asio::error::operation_aborted) {
    spdlog::debug("conn={} doc={} {}: {}", id_, target_.doc_id, why, ec.message());
  }
  error_code ignored;
  socket_.close(ignored);
  partial_ = {};
  if (room_) room_->leave(*this);
}

}  // namespace tandem::server
