#include "server/ws_session.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "server/room.h"
#include "server/room_registry.h"

namespace tandem::server {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using protocol::CloseCode;

namespace {
// While reads are paused for backpressure, check again this often.
constexpr auto kPausePoll = std::chrono::milliseconds(2);
// A close that cannot be sent (the client does not read) gives up after this.
constexpr auto kCloseGrace = std::chrono::seconds(2);
}  // namespace

WsSession::WsSession(ServerContext& ctx, asio::ip::tcp::socket socket, WsTarget target, IpSlot slot)
    : ctx_(ctx),
      ws_(std::move(socket)),
      target_(std::move(target)),
      slot_(std::move(slot)),
      id_(ctx.next_connection_id.fetch_add(1, std::memory_order_relaxed)),
      timer_(ws_.get_executor()),
      message_rate_(ctx.config.messages_per_second, ctx.config.message_burst),
      byte_rate_(ctx.config.bytes_per_second, ctx.config.byte_burst) {}

WsSession::~WsSession() {
  if (accepted_) ctx_.metrics.connections.fetch_sub(1, std::memory_order_relaxed);
  ctx_.metrics.send_queue_bytes.fetch_sub(static_cast<int64_t>(queued_bytes_), std::memory_order_relaxed);
}

void WsSession::start(Request upgrade) {
  websocket::stream_base::timeout timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = std::chrono::milliseconds(static_cast<int64_t>(ctx_.config.idle_timeout_s * 1000));
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(beast::http::field::server, "tandemd");
    res.set(beast::http::field::cache_control, "no-store");
  }));
  ws_.read_message_max(ctx_.config.max_frame_bytes);
  ws_.binary(true);
  beast::get_lowest_layer(ws_).expires_never();
  ws_.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) return finish("handshake failed", ec);
  accepted_ = true;
  ctx_.metrics.connections.fetch_add(1, std::memory_order_relaxed);
  ctx_.metrics.connections_total.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("conn={} doc={} ip={} connected", id_, target_.doc_id, slot_.ip());
  if (ctx_.stopping.load()) return close(CloseCode::kServiceRestart, "server restarting");
  room_ = ctx_.thread_of(target_.doc_id).rooms->get(target_.doc_id);
  room_->join(shared_from_this());
}

void WsSession::start_reading() {
  if (reading_ || closing_ || finished_) return;
  reading_ = true;
  read();
}

bool WsSession::must_pause() const {
  if (room_ && room_->backpressure()) return true;
  if (ctx_.storage->log().backlogged()) return true;
  return ctx_.metrics.uncommitted_bytes.load(std::memory_order_relaxed) >
         static_cast<int64_t>(ctx_.config.max_storage_backlog_bytes);
}

void WsSession::read() {
  if (closing_ || finished_) return;
  if (must_pause()) {
    // TCP backpressure: leave the client's bytes in the kernel until storage catches up.
    timer_.expires_after(kPausePoll);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
    return;
  }
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t n) { self->on_read(ec, n); });
}

void WsSession::on_read(beast::error_code ec, size_t bytes) {
  if (ec == websocket::error::message_too_big) {
    ctx_.metrics.reject(Rejection::kFrameTooBig);
    return finish("message over max_frame_bytes", ec);  // beast has sent close 1009
  }
  if (ec) return finish("read ended", ec);
  if (closing_) return;
  ctx_.metrics.bytes_received.fetch_add(bytes, std::memory_order_relaxed);
  if (!ws_.got_binary()) {
    ctx_.metrics.reject(Rejection::kMalformed);
    return close(CloseCode::kMalformed, "binary messages only");
  }
  if (!message_rate_.take(1) || !byte_rate_.take(static_cast<double>(bytes))) {
    ctx_.metrics.reject(Rejection::kRateLimited);
    return close(CloseCode::kRateLimited, "over the message or byte rate limit");
  }
  auto data = buffer_.cdata();
  room_->on_message(*this, std::span<const uint8_t>(static_cast<const uint8_t*>(data.data()), data.size()));
  buffer_.consume(buffer_.size());
  read();
}

void WsSession::send(Frame frame) {
  if (closing_ || finished_ || !accepted_) return;
  if (queued_bytes_ + frame->size() > ctx_.config.max_send_queue_bytes) {
    ctx_.metrics.reject(Rejection::kSlowConsumer);
    return close(CloseCode::kSlowConsumer, "send queue full: the client stopped reading");
  }
  queued_bytes_ += frame->size();
  ctx_.metrics.send_queue_bytes.fetch_add(static_cast<int64_t>(frame->size()), std::memory_order_relaxed);
  queue_.push_back(std::move(frame));
  if (!writing_) write_next();
}

void WsSession::write_next() {
  if (queue_.empty()) return;
  writing_ = true;
  const Frame& f = queue_.front();
  ws_.async_write(asio::buffer(*f), [self = shared_from_this()](beast::error_code ec, size_t n) { self->on_write(ec, n); });
}

void WsSession::on_write(beast::error_code ec, size_t bytes) {
  writing_ = false;
  size_t size = queue_.front()->size();
  queue_.pop_front();
  queued_bytes_ -= size;
  ctx_.metrics.send_queue_bytes.fetch_sub(static_cast<int64_t>(size), std::memory_order_relaxed);
  if (ec) return finish("write failed", ec);
  ctx_.metrics.messages_sent.fetch_add(1, std::memory_order_relaxed);
  ctx_.metrics.bytes_sent.fetch_add(bytes, std::memory_order_relaxed);
  if (closing_) return send_close();
  write_next();
}

void WsSession::close(CloseCode code, std::string reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  close_code_ = code;
  close_reason_ = std::move(reason);
  spdlog::info("conn={} doc={} closing: {} {}", id_, target_.doc_id, static_cast<int>(code), close_reason_);
  // Drop what is queued behind the message being written.
  while (queue_.size() > (writing_ ? 1u : 0u)) {
    size_t size = queue_.back()->size();
    queue_.pop_back();
    queued_bytes_ -= size;
    ctx_.metrics.send_queue_bytes.fetch_sub(static_cast<int64_t>(size), std::memory_order_relaxed);
  }
  if (room_) {
    // Not now: the room may be iterating its sessions (a broadcast that overflowed our queue).
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->room_->leave(*self); });
  }
  if (!accepted_) return;
  if (!writing_) return send_close();
  // A write in flight: if the client does not read, it never completes. Give up after a grace.
  timer_.expires_after(kCloseGrace);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && self->writing_) {
      beast::get_lowest_layer(self->ws_).close();
      self->finish("closed: client did not read");
    }
  });
}

void WsSession::send_close() {
  timer_.cancel();
  websocket::close_reason reason(static_cast<websocket::close_code>(close_code_), close_reason_);
  beast::get_lowest_layer(ws_).expires_after(kCloseGrace);
  ws_.async_close(reason, [self = shared_from_this()](beast::error_code ec) { self->finish("closed", ec); });
}

void WsSession::finish(const char* why, beast::error_code ec) {
  if (finished_) return;
  finished_ = true;
  timer_.cancel();
  if (ec && ec != websocket::error::closed && ec != asio::error::operation_aborted) {
    spdlog::debug("conn={} doc={} {}: {}", id_, target_.doc_id, why, ec.message());
  }
  if (room_) {
    room_->leave(*this);
  }
}

}  // namespace tandem::server
