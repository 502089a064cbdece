#include "server/room.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "crdt/update_ops.h"
#include "protocol/sync_split.h"
#include "server/room_registry.h"
#include "storage/compaction.h"

namespace tandem::server {

namespace asio = boost::asio;
using protocol::CloseCode;
using protocol::MessageKind;
using Clock = Room::Clock;

namespace {

WsSession::Frame frame(std::vector<uint8_t> bytes) {
  return std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
}

// How often a document's updated_ms is moved forward while it is edited.
constexpr double kTouchIntervalSeconds = 5;

// Size of what the document keeps waiting for missing dependencies: an update that changes it
// changed the document even if no struct was integrated.
size_t pending_bytes(const crdt::Doc& doc) {
  return (doc.pending_structs() ? doc.pending_structs()->update.size() : 0) +
         (doc.pending_delete_set() ? doc.pending_delete_set()->size() : 0);
}

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

Room::Room(ServerContext& ctx, IoThread& thread, std::string doc_id)
    : ctx_(ctx),
      thread_(thread),
      doc_id_(std::move(doc_id)),
      doc_(std::make_unique<crdt::Doc>()),
      hibernated_{std::pmr::vector<uint8_t>(&ctx.hibernated_memory), std::pmr::vector<uint8_t>(&ctx.hibernated_memory)},
      last_version_(Clock::now()),
      idle_timer_(thread.ioc.get_executor()),
      hibernate_timer_(thread.ioc.get_executor()) {}

// --- loading -------------------------------------------------------------------------------

void Room::load() {
  auto started = Clock::now();
  asio::post(*ctx_.blocking, [self = shared_from_this(), started] {
    storage::Storage& st = *self->ctx_.storage;
    auto fail = [&](Status s) {
      asio::post(self->thread_.ioc, [self, s = std::move(s), started] {
        self->on_loaded(s, 0, 0, 0, started);
      });
    };
    auto meta = st.documents().get_document(self->doc_id_);
    if (!meta) return fail(meta.status());
    if (!meta.value()) return fail(Status::Error("no such document"));
    auto stored = st.load_document(self->doc_id_);
    if (!stored) return fail(stored.status());
    std::vector<std::vector<uint8_t>> updates;
    size_t bytes = 0;
    if (stored->snapshot) updates.push_back(std::move(stored->snapshot->state));
    for (auto& e : stored->tail) {
      bytes += e.update.size();
      updates.push_back(std::move(e.update));
    }
    uint64_t last = stored->last_position();
    size_t entries = stored->tail.size();
    asio::post(self->thread_.ioc, [self, updates = std::move(updates), last, entries, bytes, started]() mutable {
      self->on_loaded(std::move(updates), last, entries, bytes, started);
    });
  });
}

void Room::on_loaded(Result<std::vector<std::vector<uint8_t>>> updates, uint64_t last_position, size_t log_entries,
                     size_t log_bytes, Clock::time_point started) {
  if (state_ != State::kLoading) return;
  if (!updates) {
    bool missing = updates.error() == "no such document";
    return fail(missing ? CloseCode::kUnknownDocument : CloseCode::kLoadFailed,
                missing ? "no such document" : "the document could not be loaded: " + updates.error());
  }
  for (const auto& u : updates.value()) {
    if (Status s = doc_->apply_update(u); !s) {
      return fail(CloseCode::kLoadFailed, "stored update does not apply: " + s.message());
    }
  }
  last_position_ = last_position;
  log_entries_ = log_entries;
  log_bytes_ = log_bytes;
  state_ = State::kReady;
  ctx_.metrics.documents_loaded.fetch_add(1, std::memory_order_relaxed);
  ctx_.metrics.load_latency.observe(seconds_since(started));
  spdlog::debug("doc={} loaded: {} log entries after the snapshot", doc_id_, log_entries);
  for (const auto& s : sessions_) greet(s);
  auto waiting = std::move(on_load_);
  for (auto& fn : waiting) fn(Status::Ok());
  if (sessions_.empty()) schedule_idle_check();
  touch();
}

void Room::fail(CloseCode code, const std::string& reason) {
  bool was_loading = state_ == State::kLoading;
  if (state_ == State::kReady) ctx_.metrics.documents_loaded.fetch_sub(1, std::memory_order_relaxed);
  state_ = State::kFailed;
  ctx_.metrics.reject(code == CloseCode::kUnknownDocument ? Rejection::kUnknownDocument
                      : was_loading                      ? Rejection::kLoadFailed
                                                         : Rejection::kStorageFailed);
  spdlog::warn("doc={} {}", doc_id_, reason);
  auto sessions = std::move(sessions_);
  sessions_.clear();
  for (auto& s : sessions) s->close(code, reason);
  auto waiting = std::move(on_load_);
  for (auto& fn : waiting) fn(Status::Error(reason));
  idle_timer_.cancel();
  hibernate_timer_.cancel();
  if (hibernating()) ctx_.metrics.documents_hibernating.fetch_sub(1, std::memory_order_relaxed);
  // Forget this room: the next client loads the document afresh from storage.
  thread_.rooms->remove(*this);
}

void Room::when_loaded(std::function<void(Status)> fn) {
  if (state_ == State::kReady) return fn(Status::Ok());
  if (state_ != State::kLoading) return fn(Status::Error("the document is not available"));
  on_load_.push_back(std::move(fn));
}

// --- clients -------------------------------------------------------------------------------

void Room::join(std::shared_ptr<WsSession> session) {
  if (state_ == State::kFailed || state_ == State::kClosed) {
    return session->close(CloseCode::kLoadFailed, "the document is not available");
  }
  idle_timer_.cancel();
  sessions_.push_back(session);
  if (state_ == State::kReady) greet(session);
}

void Room::greet(const std::shared_ptr<WsSession>& session) {
  // As y-websocket's server does: our state vector (the client answers with what we lack),
  // then the awareness of everyone present.
  std::vector<uint8_t> encoded;
  std::span<const uint8_t> sv = hibernated_.state_vector;
  if (!hibernating()) {
    encoded = doc_->encode_state_vector();
    sv = encoded;
  }
  session->send(frame(protocol::encode_sync_step1(sv)));
  auto everyone = awareness_.encode_states();
  if (!everyone.empty()) session->send(frame(std::move(everyone)));
  if (session->wants_ack() && pending_.empty()) session->send(frame(protocol::encode_ack(sv)));
  session->start_reading();
}

void Room::leave(WsSession& session) {
  auto it = std::find_if(sessions_.begin(), sessions_.end(), [&](const auto& s) { return s.get() == &session; });
  if (it == sessions_.end()) return;
  auto keep = *it;  // the session may be destroyed with its last reference
  sessions_.erase(it);
  auto gone = awareness_.remove_connection(session.id());
  if (!gone.empty()) {
    auto f = frame(std::move(gone));
    for (const auto& s : sessions_) s->send(f);
  }
  if (sessions_.empty()) sync_cache_ = {};  // nobody left to join with
  if (sessions_.empty() && state_ == State::kReady) schedule_idle_check();
}

bool Room::backpressure() const { return uncommitted_bytes_ > ctx_.config.max_uncommitted_bytes_per_doc; }

bool Room::any_ack_clients() const {
  return std::any_of(sessions_.begin(), sessions_.end(), [](const auto& s) { return s->wants_ack(); });
}

void Room::on_message(WsSession& session, std::span<const uint8_t> data) {
  if (state_ != State::kReady || ctx_.stopping.load()) return;  // the client resyncs later
  auto msg = protocol::parse_message(data);
  if (!msg) {
    ctx_.metrics.reject(Rejection::kMalformed);
    return session.close(CloseCode::kMalformed, msg.error());
  }
  switch (msg->kind) {
    case MessageKind::kSyncStep1:
      return handle_sync_step1(session, msg->payload);
    case MessageKind::kSyncStep2:
    case MessageKind::kSyncUpdate:
      return handle_update(&session, msg->payload, nullptr);
    case MessageKind::kAwareness:
      return handle_awareness(session, msg->payload);
    case MessageKind::kQueryAwareness: {
      auto everyone = awareness_.encode_states();
      if (!everyone.empty()) session.send(frame(std::move(everyone)));
      return;
    }
    case MessageKind::kAuthDenied:
    case MessageKind::kAck:
      ctx_.metrics.reject(Rejection::kMalformed);
      return session.close(CloseCode::kMalformed, std::string(protocol::to_string(msg->kind)) +
                                                      " is a message only the server sends");
  }
}

void Room::handle_sync_step1(WsSession& session, std::span<const uint8_t> state_vector) {
  auto sv = protocol::decode_state_vector(state_vector);
  if (!sv) {
    ctx_.metrics.reject(Rejection::kMalformed);
    return session.close(CloseCode::kMalformed, "sync step 1: " + sv.error());
  }
  const std::vector<WsSession::Frame>& frames = sync_reply(state_vector, sv.value());
  if (pending_.empty()) {
    for (const auto& f : frames) session.send(f);
    return;
  }
  // The reply holds updates not committed yet: nobody sees them before their commit.
  auto self = std::find_if(sessions_.begin(), sessions_.end(), [&](const auto& s) { return s.get() == &session; });
  if (self == sessions_.end()) return;
  Deferred d;
  d.after_seq = pending_.back().seq;
  d.session = *self;
  d.frames = frames;
  deferred_.push_back(std::move(d));
}

const std::vector<WsSession::Frame>& Room::sync_reply(std::span<const uint8_t> key, const crdt::StateVector& sv) {
  // Clients that join together, or one after another while nobody edits, send the same state
  // vector (a fresh client: the empty one) and get the same reply: encode it once.
  if (!sync_cache_.frames.empty() && std::equal(key.begin(), key.end(), sync_cache_.key.begin(), sync_cache_.key.end())) {
    ctx_.metrics.sync_cache_hits.fetch_add(1, std::memory_order_relaxed);
    return sync_cache_.frames;
  }
  sync_cache_.frames.clear();
  std::vector<uint8_t> update;
  if (!hibernating()) {
    update = doc_->encode_state_as_update(sv);
  } else if (sv.empty()) {
    update.assign(hibernated_.state.begin(), hibernated_.state.end());
  } else {
    // What the client lacks, from the encoding: a hibernating document is not rebuilt for a
    // client that joins.
    auto diff = crdt::diff_update(hibernated_.state, key);
    if (diff) {
      update = std::move(diff.value());
    } else {
      // The state vector decoded above; the whole state is a correct, larger answer.
      spdlog::warn("doc={} diff of the hibernated encoding failed ({}): answering with the whole state", doc_id_,
                   diff.error());
      update.assign(hibernated_.state.begin(), hibernated_.state.end());
    }
  }
  auto parts = protocol::split_sync_step2(update, std::max(ctx_.config.max_outgoing_frame_bytes,
                                                           protocol::kMinSyncMessageBytes));
  if (parts) {
    for (auto& part : parts.value()) sync_cache_.frames.push_back(frame(std::move(part)));
  } else {
    sync_cache_.frames.push_back(frame(protocol::encode_sync_step2(update)));
  }
  sync_cache_.key.assign(key.begin(), key.end());
  return sync_cache_.frames;
}

void Room::handle_awareness(WsSession& session, std::span<const uint8_t> payload) {
  auto changed = awareness_.apply(session.id(), payload);
  if (!changed) {
    ctx_.metrics.reject(Rejection::kMalformed);
    return session.close(CloseCode::kMalformed, "awareness: " + changed.error());
  }
  if (changed->empty()) return;
  // To everyone, the sender included, as y-websocket's server does.
  auto f = frame(std::move(changed.value()));
  for (const auto& s : sessions_) s->send(f);
}

// --- edits and the commit point ---------------------------------------------------------------

void Room::apply_server_update(std::span<const uint8_t> update, Callback done) {
  if (state_ != State::kReady) return done(Status::Error("the document is not loaded"));
  handle_update(nullptr, update, std::move(done));
}

void Room::handle_update(WsSession* origin, std::span<const uint8_t> update, Callback done) {
  if (crdt::is_empty_update_v1(update)) {
    // What a fresh client answers the greeting with: changes nothing, and does not rebuild a
    // hibernating document.
    ctx_.metrics.updates_dropped.fetch_add(1, std::memory_order_relaxed);
    if (done) done(Status::Ok());
    return;
  }
  if (hibernating() && crdt::adds_only_known_deletions(update, hibernated_.state)) {
    // What a client reconnecting with nothing new answers the greeting with (yjs sends its
    // whole delete set in every diff): all known, so the document is not rebuilt for it.
    ctx_.metrics.updates_dropped.fetch_add(1, std::memory_order_relaxed);
    if (done) done(Status::Ok());
    return;
  }
  if (!wake()) {
    if (done) done(Status::Error("the document could not be rebuilt"));
    return;
  }
  touch();
  crdt::Doc& doc = *doc_;
  size_t pending_before = pending_bytes(doc);
  const uint64_t changes_before = doc.change_count();
  // Validated completely before anything changes; a bad update leaves the document as it was.
  if (Status s = doc.apply_update(update); !s) {
    ctx_.metrics.reject(Rejection::kMalformed);
    if (origin) origin->close(CloseCode::kMalformed, "invalid update: " + s.message());
    if (done) done(s);
    return;
  }
  size_t pending_after = pending_bytes(doc);
  if (doc.change_count() == changes_before && pending_after == pending_before) {
    ctx_.metrics.updates_dropped.fetch_add(1, std::memory_order_relaxed);
    if (done) done(Status::Ok());
    return;
  }
  ctx_.metrics.updates_received.fetch_add(1, std::memory_order_relaxed);
  edited_since_version_ = true;
  sync_cache_ = {};  // the document changed
  Pending p;
  p.seq = ++next_seq_;
  p.origin = origin ? origin->id() : 0;
  p.arrived = Clock::now();
  p.bytes = update.size();
  p.update.assign(update.begin(), update.end());
  if (any_ack_clients()) p.state_vector = doc.encode_state_vector();
  p.done = std::move(done);
  uncommitted_bytes_ += p.bytes;
  ctx_.metrics.uncommitted_bytes.fetch_add(static_cast<int64_t>(p.bytes), std::memory_order_relaxed);
  std::vector<uint8_t> copy = p.update;
  pending_.push_back(std::move(p));
  ctx_.storage->log().append(doc_id_, std::move(copy),
                             [self = shared_from_this()](Result<storage::LogPosition> pos) {
                               asio::post(self->thread_.ioc, [self, pos = std::move(pos)]() mutable {
                                 self->on_committed(std::move(pos));
                               });
                             });
}

void Room::on_committed(Result<storage::LogPosition> position) {
  if (pending_.empty()) return;  // the room failed meanwhile
  Pending p = std::move(pending_.front());
  pending_.pop_front();
  uncommitted_bytes_ -= p.bytes;
  ctx_.metrics.uncommitted_bytes.fetch_sub(static_cast<int64_t>(p.bytes), std::memory_order_relaxed);
  if (!position) {
    // The document in memory is ahead of the log: stop accepting edits and drop it; clients
    // resync from storage when they reconnect, and resend what was not stored.
    if (p.done) p.done(position.status());
    for (auto& rest : pending_) {
      if (rest.done) rest.done(Status::Error("not stored: an earlier write failed"));
    }
    ctx_.metrics.uncommitted_bytes.fetch_sub(static_cast<int64_t>(uncommitted_bytes_), std::memory_order_relaxed);
    uncommitted_bytes_ = 0;
    pending_.clear();
    for (auto& d : deferred_) {
      if (d.state_done) d.state_done(Status::Error("a write failed: " + position.error()));
    }
    deferred_.clear();
    fail(CloseCode::kStorageUnavailable, "a write failed: " + position.error());
    after_commits();
    return;
  }
  ctx_.metrics.updates_committed.fetch_add(1, std::memory_order_relaxed);
  ctx_.metrics.commit_latency.observe(seconds_since(p.arrived));
  last_position_ = position.value();
  ++log_entries_;
  log_bytes_ += p.bytes;
  if (p.done) p.done(Status::Ok());
  committed_.push_back(std::move(p));
  if (!flush_posted_) {
    // Updates committed together are sent together: flush after this turn's other commits.
    flush_posted_ = true;
    asio::post(thread_.ioc, [self = shared_from_this()] { self->flush_broadcast(); });
  }
}

void Room::flush_broadcast() {
  flush_posted_ = false;
  if (committed_.empty() || state_ != State::kReady) {
    committed_.clear();
    return;
  }
  std::vector<Pending> batch = std::move(committed_);
  committed_.clear();
  if (batch.size() == 1) {
    auto f = frame(protocol::encode_sync_update(batch.front().update));
    for (const auto& s : sessions_) {
      if (s->id() != batch.front().origin) s->send(f);
    }
  } else {
    // One merged update, written once for every receiver (senders ignore their own part).
    std::vector<crdt::Update> parts;
    for (const auto& p : batch) parts.emplace_back(p.update);
    auto merged = crdt::merge_updates(parts);
    if (merged) {
      auto f = frame(protocol::encode_sync_update(merged.value()));
      for (const auto& s : sessions_) s->send(f);
    } else {
      for (const auto& p : batch) {
        auto f = frame(protocol::encode_sync_update(p.update));
        for (const auto& s : sessions_) {
          if (s->id() != p.origin) s->send(f);
        }
      }
    }
  }
  // The persisted state vector: the document's own when nothing is pending; else the one
  // recorded when the batch's last update was integrated. Without one (it was integrated
  // before any client asked for acks) no ack is sent now: a later one covers it.
  const auto& last = batch.back();
  if (any_ack_clients() && (pending_.empty() || !last.state_vector.empty())) {
    auto ack = frame(protocol::encode_ack(pending_.empty() ? doc().encode_state_vector() : last.state_vector));
    for (const auto& s : sessions_) {
      if (s->wants_ack()) s->send(ack);
    }
  }
  send_deferred();
  after_commits();
}

void Room::send_deferred() {
  uint64_t committed_seq = pending_.empty() ? next_seq_ : pending_.front().seq - 1;
  while (!deferred_.empty() && deferred_.front().after_seq <= committed_seq) {
    Deferred d = std::move(deferred_.front());
    deferred_.pop_front();
    if (d.state_done) {
      d.state_done(std::move(d.state));
    } else if (auto s = d.session.lock()) {
      for (auto& f : d.frames) s->send(std::move(f));
    }
  }
}

void Room::committed_state(std::function<void(Result<std::vector<uint8_t>>)> done) {
  if (state_ != State::kReady) return done(Status::Error("the document is not loaded"));
  auto state = encode_state();
  if (pending_.empty()) return done(std::move(state));
  Deferred d;
  d.after_seq = pending_.back().seq;
  d.state_done = std::move(done);
  d.state = std::move(state);
  deferred_.push_back(std::move(d));
}

void Room::after_commits() {
  if (pending_.empty()) {
    auto drained = std::move(on_drained_);
    on_drained_.clear();
    for (auto& fn : drained) fn();
  }
  if (state_ != State::kReady) return;
  if (seconds_since(last_touch_) >= kTouchIntervalSeconds) {
    // The document list orders by last edit; keep updated_ms close without a write per edit.
    last_touch_ = Clock::now();
    asio::post(ctx_.upkeep->get_executor(), [&ctx = ctx_, id = doc_id_, t = now_ms()] {
      if (Status st = ctx.storage->documents().touch_document(id, t); !st) {
        spdlog::warn("doc={} touch failed: {}", id, st.message());
      }
    });
  }
  maybe_compact();
  if (!pending_.empty()) return;  // a version holds committed content only
  if (seconds_since(last_version_) >= ctx_.config.auto_version_interval_s && edited_since_version_) {
    create_version(true);
  }
  if (sessions_.empty()) schedule_idle_check();
}

// --- storage upkeep ------------------------------------------------------------------------

void Room::maybe_compact() {
  if (compacting_) return;
  if (log_entries_ < ctx_.config.compact_log_entries && log_bytes_ < ctx_.config.compact_log_bytes) return;
  compacting_ = true;
  asio::post(ctx_.upkeep->get_executor(), [self = shared_from_this()] {
    auto result = storage::compact(*self->ctx_.storage, self->doc_id_);
    asio::post(self->thread_.ioc, [self, result = std::move(result)] {
      self->compacting_ = false;
      if (!result) {
        spdlog::warn("doc={} compaction failed: {}", self->doc_id_, result.error());
        return;
      }
      self->ctx_.metrics.compactions.fetch_add(1, std::memory_order_relaxed);
      // Entries committed after the compaction's snapshot stay in the log.
      self->log_entries_ = self->last_position_ > result->covers ? self->last_position_ - result->covers : 0;
      self->log_bytes_ = 0;
    });
  });
}

void Room::create_version(bool automatic) {
  last_version_ = Clock::now();
  edited_since_version_ = false;
  auto state = std::make_shared<std::vector<uint8_t>>(encode_state());
  asio::post(ctx_.upkeep->get_executor(), [&ctx = ctx_, id = doc_id_, state, automatic] {
    auto v = ctx.storage->documents().create_version(id, "", automatic, *state, now_ms());
    if (!v) spdlog::warn("doc={} automatic version failed: {}", id, v.error());
  });
}

void Room::schedule_idle_check() {
  idle_timer_.expires_after(seconds(ctx_.config.idle_unload_s));
  idle_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->state_ != State::kReady || !self->sessions_.empty() || !self->pending_.empty() ||
        self->compacting_) {
      return;
    }
    // Idle with nothing pending: keep a version of the last edits, compact, unload.
    if (self->edited_since_version_) self->create_version(true);
    self->state_ = State::kClosed;
    self->hibernate_timer_.cancel();
    self->ctx_.metrics.documents_loaded.fetch_sub(1, std::memory_order_relaxed);
    if (self->hibernating()) self->ctx_.metrics.documents_hibernating.fetch_sub(1, std::memory_order_relaxed);
    self->thread_.rooms->unload(*self, self->log_entries_ > 0);
  });
}

void Room::close_all(CloseCode code, std::string reason, std::function<void()> done) {
  auto finish = [self = shared_from_this(), code, reason = std::move(reason), done = std::move(done)] {
    if (self->state_ == State::kReady) {
      self->ctx_.metrics.documents_loaded.fetch_sub(1, std::memory_order_relaxed);
      if (self->hibernating()) self->ctx_.metrics.documents_hibernating.fetch_sub(1, std::memory_order_relaxed);
    }
    self->state_ = State::kClosed;
    self->idle_timer_.cancel();
    self->hibernate_timer_.cancel();
    auto sessions = std::move(self->sessions_);
    self->sessions_.clear();
    for (auto& s : sessions) s->close(code, reason);
    if (done) done();
  };
  if (pending_.empty()) return finish();
  on_drained_.push_back(std::move(finish));
}

// --- hibernation -----------------------------------------------------------------------------

crdt::Doc& Room::doc() {
  wake();
  touch();
  return *doc_;
}

std::vector<uint8_t> Room::encode_state() const {
  if (!hibernating()) return doc_->encode_state_as_update();
  return std::vector<uint8_t>(hibernated_.state.begin(), hibernated_.state.end());
}

void Room::touch() {
  last_used_ = Clock::now();
  if (!hibernation_armed_ && ctx_.config.hibernate_after_s > 0 && !hibernating()) {
    arm_hibernation(seconds(ctx_.config.hibernate_after_s));
  }
}

void Room::arm_hibernation(Clock::duration after) {
  // One wait per quiet period, not one per edit: when it ends early (the document was used
  // meanwhile), maybe_hibernate waits again for the rest.
  hibernation_armed_ = true;
  hibernate_timer_.expires_after(after);
  hibernate_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    self->hibernation_armed_ = false;
    if (!ec) self->maybe_hibernate();
  });
}

void Room::maybe_hibernate() {
  if (state_ != State::kReady || hibernating()) return;
  const Clock::duration quiet = seconds(ctx_.config.hibernate_after_s);
  const auto since = Clock::now() - last_used_;
  if (since < quiet) return arm_hibernation(quiet - since);
  // Only a document whose content is all committed, with nothing waiting for a commit or
  // for missing dependencies: the encoding is then exactly what storage holds.
  if (!pending_.empty() || !committed_.empty() || !deferred_.empty() || flush_posted_ || doc_->has_pending()) {
    return arm_hibernation(quiet);
  }
  const std::vector<uint8_t> state = doc_->encode_state_as_update();
  const std::vector<uint8_t> state_vector = doc_->encode_state_vector();
  hibernated_.state.assign(state.begin(), state.end());
  hibernated_.state_vector.assign(state_vector.begin(), state_vector.end());
  doc_.reset();
  sync_cache_ = {};  // the encoding answers joins now
  ctx_.metrics.documents_hibernating.fetch_add(1, std::memory_order_relaxed);
  ctx_.metrics.hibernations.fetch_add(1, std::memory_order_relaxed);
  thread_.rooms->memory_freed();
}

bool Room::wake() {
  if (!hibernating()) return true;
  auto doc = std::make_unique<crdt::Doc>();
  Status s = doc->apply_update(hibernated_.state);
  ctx_.metrics.documents_hibernating.fetch_sub(1, std::memory_order_relaxed);
  if (!s) {
    // Storage holds everything the encoding held (it was taken with nothing pending): the
    // clients reconnect and load the document afresh.
    doc_ = std::make_unique<crdt::Doc>();
    forget_encoding();
    fail(CloseCode::kLoadFailed, "the hibernated document could not be rebuilt: " + s.message());
    return false;
  }
  doc_ = std::move(doc);
  forget_encoding();
  ctx_.metrics.wakes.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void Room::forget_encoding() {
  // Assigning empty vectors from the same pool hands the old storage back to it.
  hibernated_.state = std::pmr::vector<uint8_t>(&ctx_.hibernated_memory);
  hibernated_.state_vector = std::pmr::vector<uint8_t>(&ctx_.hibernated_memory);
}

}  // namespace tandem::server
