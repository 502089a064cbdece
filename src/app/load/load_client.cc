#include "app/load/load_client.h"

#include <boost/beast/websocket.hpp>

#include "app/load/load_clock.h"
#include "crdt/text.h"
#include "protocol/messages.h"

namespace tandem::load {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

//! Largest message a client accepts: a full sync of the biggest scenario document is a few
//! MB; anything near this is a server bug worth an error rather than an allocation.
constexpr size_t kMaxMessageBytes = 256 * 1024 * 1024;
//! Bytes a client may have queued for the server. Reaching it means the server stopped
//! reading (or the generator outran the socket): the client fails with that reason.
constexpr size_t kMaxQueuedBytes = 64 * 1024 * 1024;

std::string describe(const boost::system::error_code& ec) { return ec.message(); }

}  // namespace

LoadClient::LoadClient(asio::io_context& io, Target target, Framing framing, crdt::ClientId id,
                       std::shared_ptr<const std::vector<crdt::ClientId>> authors, EditLedger& ledger,
                       ClientObserver& observer)
    : target_(std::move(target)),
      framing_(std::move(framing)),
      id_(id),
      authors_(std::move(authors)),
      ledger_(ledger),
      observer_(observer),
      ws_(io),
      doc_(crdt::DocOptions{.client_id = id, .gc = true}),
      text_(doc_.get("text", crdt::TypeKind::Text)) {
  before_.resize(authors_->size());
}

void LoadClient::start() {
  state_ = State::kConnecting;
  started_ns_ = now_ns();
  ws_.next_layer().socket().async_connect(target_.endpoint,
                                 [self = shared_from_this()](boost::system::error_code ec) { self->on_connect(ec); });
}

void LoadClient::on_connect(boost::system::error_code ec) {
  if (ec) return fail(Status::Error("connect to " + target_.host + ": " + describe(ec)));
  ws_.next_layer().socket().set_option(asio::ip::tcp::no_delay(true));
  if (auto e = ws_.next_layer().enable_timestamps()) return fail(Status::Error("receive timestamps: " + describe(e)));
  ws_.read_message_max(kMaxMessageBytes);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::request_type& req) { req.set(beast::http::field::user_agent, "tandem-load"); }));
  ws_.async_handshake(target_.host, target_.path,
                      [self = shared_from_this()](boost::system::error_code e) { self->on_handshake(e); });
}

void LoadClient::on_handshake(boost::system::error_code ec) {
  if (ec) return fail(Status::Error("WebSocket handshake for " + target_.path + ": " + describe(ec)));
  ws_.binary(true);
  state_ = State::kSyncing;
  for (auto& m : framing_.opening(doc_.encode_state_vector())) send(std::move(m));
  read();
}

void LoadClient::read() {
  ws_.async_read(buffer_, [self = shared_from_this()](boost::system::error_code ec, size_t n) { self->on_read(ec, n); });
}

void LoadClient::on_read(boost::system::error_code ec, size_t bytes) {
  if (ec) {
    if (state_ == State::kClosing && (ec == websocket::error::closed || ec == asio::error::operation_aborted)) {
      state_ = State::kClosed;
      return;
    }
    const auto reason = ws_.reason();
    std::string why = ec == websocket::error::closed
                          ? "server closed the connection (code " + std::to_string(reason.code) + " " +
                                std::string(reason.reason.c_str()) + ")"
                          : "read: " + describe(ec);
    return fail(Status::Error(why));
  }
  ++messages_received_;
  message_arrived_ns_ = ws_.next_layer().last_received_ns();
  const auto* data = static_cast<const uint8_t*>(buffer_.data().data());
  Status st = handle({data, bytes});
  buffer_.consume(bytes);
  if (!st) return fail(st);
  if (!finished()) read();
}

Status LoadClient::handle(std::span<const uint8_t> message) {
  auto in = framing_.parse(message);
  if (!in) return in.status();
  switch (in->kind) {
    case IncomingKind::kSyncStep1: {
      auto sv = protocol::decode_state_vector(in->payload);
      if (!sv) return Status::Error("sync step 1 from server: " + sv.error());
      send(framing_.sync_step2(doc_.encode_state_as_update(*sv)));
      return Status::Ok();
    }
    case IncomingKind::kSyncStep2: {
      const bool first = state_ == State::kSyncing;
      if (first && defer_sync_) {
        deferred_step2_.assign(in->payload.begin(), in->payload.end());
        state_ = State::kSynced;
        synced_ns_ = now_ns();
        observer_.on_synced(*this);
        return Status::Ok();
      }
      if (Status st = integrate(in->payload, !first); !st) return Status::Error("sync step 2 from server: " + st.message());
      if (first) {
        state_ = State::kSynced;
        synced_ns_ = now_ns();
        observer_.on_synced(*this);
      }
      return Status::Ok();
    }
    case IncomingKind::kUpdate: {
      if (Status st = integrate(in->payload, state_ == State::kSynced); !st) {
        return Status::Error("update from server: " + st.message());
      }
      return Status::Ok();
    }
    case IncomingKind::kDenied: return Status::Error("permission denied: " + std::string(in->text));
    case IncomingKind::kClose: return Status::Error("server closed the document: " + std::string(in->text));
    case IncomingKind::kAwareness:
    case IncomingKind::kQueryAwareness:
    case IncomingKind::kAuthenticated:
    case IncomingKind::kAck:
    case IncomingKind::kSyncStatus:
    case IncomingKind::kStateless:
    case IncomingKind::kTokenRequest:
      return Status::Ok();
  }
  return Status::Ok();
}

Status LoadClient::integrate(std::span<const uint8_t> update, bool count_deliveries) {
  const auto& authors = *authors_;
  for (size_t i = 0; i < authors.size(); ++i) before_[i] = doc_.store().state(authors[i]);
  if (Status st = doc_.apply_update(update); !st) return st;
  if (!count_deliveries) return Status::Ok();
  const int64_t now = now_ns();
  for (size_t i = 0; i < authors.size(); ++i) {
    if (authors[i] == id_) continue;
    const crdt::Clock after = doc_.store().state(authors[i]);
    if (after > before_[i]) ledger_.on_integrated(authors[i], before_[i], after, message_arrived_ns_, now);
  }
  return Status::Ok();
}

Result<crdt::ID> LoadClient::edit(uint64_t pos, uint64_t del, std::string_view insert) {
  return transact_edit(insert, [&](crdt::Transaction& t) {
    const uint64_t len = text_->length();
    pos = std::min(pos, len);
    del = std::min(del, len - pos);
    if (del > 0) {
      if (Status st = crdt::text_delete(t, text_, pos, del); !st) return st;
    }
    return crdt::text_insert(t, text_, pos, insert);
  });
}

Result<crdt::ID> LoadClient::type_after(crdt::ID after, bool replace, std::string_view insert) {
  return transact_edit(insert, [&](crdt::Transaction& t) {
    if (replace) {
      if (Status st = crdt::text_delete_id(t, text_, after); !st) return st;
    }
    return crdt::text_insert_after(t, text_, after, insert);
  });
}

Result<crdt::ID> LoadClient::transact_edit(std::string_view insert,
                                           const std::function<Status(crdt::Transaction&)>& change) {
  if (state_ != State::kSynced) return Status::Error("edit on a client that is not synced");
  // Checked before the transaction: an edit that inserts nothing has no clock range for the
  // ledger, and must not change the document without being sent.
  if (insert.empty()) return Status::Error("local edit: nothing to insert");
  const crdt::Clock start = doc_.store().state(id_);
  Status st = Status::Ok();
  auto update = doc_.transact([&](crdt::Transaction& t) { st = change(t); });
  if (!st) return Status::Error("local edit: " + st.message());
  const crdt::Clock end = doc_.store().state(id_);
  ledger_.record_sent(id_, start, end, now_ns());
  send(framing_.update(update));
  return crdt::ID{id_, start};
}

Status LoadClient::finish_deferred_sync() {
  if (deferred_step2_.empty()) return Status::Ok();
  Status st = integrate(deferred_step2_, false);
  deferred_step2_ = {};
  if (!st) return Status::Error("sync step 2 from server: " + st.message());
  return Status::Ok();
}

void LoadClient::keepalive() {
  if (!synced()) return;
  auto m = framing_.keepalive();
  if (!m.empty()) send(std::move(m));
}

std::string LoadClient::text() const { return crdt::text_to_string(text_); }

void LoadClient::send(std::vector<uint8_t> message) {
  if (finished() || close_requested_) return;
  queued_bytes_ += message.size();
  queue_.push_back(std::move(message));
  if (queued_bytes_ > kMaxQueuedBytes) {
    return fail(Status::Error("more than " + std::to_string(kMaxQueuedBytes) +
                              " bytes queued for the server: it stopped reading"));
  }
  if (!writing_) write_next();
}

void LoadClient::write_next() {
  if (queue_.empty()) {
    if (close_requested_ && state_ != State::kClosing && !finished()) {
      state_ = State::kClosing;
      writing_ = true;
      ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](boost::system::error_code) {
        self->writing_ = false;
      });
    }
    return;
  }
  writing_ = true;
  ws_.async_write(asio::buffer(queue_.front()),
                  [self = shared_from_this()](boost::system::error_code ec, size_t) { self->on_write(ec); });
}

void LoadClient::on_write(boost::system::error_code ec) {
  writing_ = false;
  if (finished()) return;  // failed meanwhile: the queue is gone
  if (ec) return fail(Status::Error("write: " + describe(ec)));
  queued_bytes_ -= queue_.front().size();
  queue_.pop_front();
  write_next();
}

void LoadClient::close() {
  if (finished() || close_requested_) return;
  if (state_ == State::kIdle || state_ == State::kConnecting) {
    boost::system::error_code ignored;
    ws_.next_layer().socket().close(ignored);
    state_ = State::kClosed;
    return;
  }
  close_requested_ = true;
  if (!writing_) write_next();
}

void LoadClient::abort() {
  if (finished()) return;
  state_ = State::kClosed;
  boost::system::error_code ignored;
  ws_.next_layer().socket().close(ignored);
  queue_.clear();
  queued_bytes_ = 0;
}

void LoadClient::fail(const Status& why) {
  if (finished()) return;
  state_ = State::kFailed;
  boost::system::error_code ignored;
  ws_.next_layer().socket().close(ignored);
  queue_.clear();
  queued_bytes_ = 0;
  observer_.on_failed(*this, why);
}

}  // namespace tandem::load
