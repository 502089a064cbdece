// Room: one loaded document and the clients connected to it. It loads the document (snapshot
// + log tail) once, however many clients arrive during the load, and serves nobody before the
// load has finished; a failed load closes its clients with 4500 and never yields an empty
// document. It validates every update before anything else, drops updates that change
// nothing, appends the rest to the UpdateLog and broadcasts them only after their commit
// (the commit point), sends acks with the persisted state vector to clients that asked, relays
// awareness, and unloads itself when idle with nothing pending. A document nobody has edited
// for a while hibernates: it is kept as its encoded state (about an eighth of the memory of
// its items) and rebuilt at the next edit; clients joining meanwhile are served from the
// encoding. Lives on its document's I/O thread and is touched only there; owned by its
// RoomRegistry (and by pending callbacks).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <memory_resource>
#include <span>
#include <string>
#include <vector>

#include "crdt/doc.h"
#include "protocol/awareness_room.h"
#include "protocol/messages.h"
#include "server/fifo.h"
#include "server/server_context.h"
#include "server/ws_session.h"

namespace tandem::server {

class Room : public std::enable_shared_from_this<Room> {
 public:
  using Clock = std::chrono::steady_clock;
  using Callback = std::function<void(Status)>;
  enum class State : uint8_t { kLoading, kReady, kFailed, kClosed };

  Room(ServerContext& ctx, IoThread& thread, std::string doc_id);
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  //! Starts loading from storage (the registry calls it once).
  void load();
  //! A client joins; it is greeted (sync step 1, awareness) once the document is loaded.
  void join(std::shared_ptr<WsSession> session);
  //! A client left or is closing (idempotent).
  void leave(WsSession& session);
  //! One message from a client (already size- and rate-checked).
  void on_message(WsSession& session, std::span<const uint8_t> data);
  //! Whether this document's uncommitted bytes are over their cap (clients' reads pause).
  bool backpressure() const;

  //! Runs `fn` once the document is loaded (at once if it is), or with the load's error.
  void when_loaded(std::function<void(Status)> fn);
  //! The document (REQUIRES: state() == kReady), rebuilt first if it was hibernating. If
  //! rebuilding fails the room fails (its clients reload from storage) and this is empty.
  crdt::Doc& doc();
  //! Whether the document is kept encoded only, until the next edit.
  bool hibernating() const { return doc_ == nullptr; }
  State state() const { return state_; }
  const std::string& doc_id() const { return doc_id_; }
  //! The document's state (Yjs update v1) once everything in it is committed: what a reader
  //! (export, version) may see. `done` runs on this thread, with an error if a commit fails.
  void committed_state(std::function<void(Result<std::vector<uint8_t>>)> done);
  //! Applies an update made by the server (import, restore) through the same commit path;
  //! `done` runs after its commit (or with the error).
  void apply_server_update(std::span<const uint8_t> update, Callback done);
  //! Closes every client with `code` and stops serving (document deleted, or shutdown once
  //! nothing is pending). `done` runs when nothing is pending any more.
  void close_all(protocol::CloseCode code, std::string reason, std::function<void()> done);

 private:
  struct Pending {
    uint64_t seq = 0;
    uint64_t origin = 0;  // connection id, 0 for the server
    Clock::time_point arrived;
    size_t bytes = 0;
    std::vector<uint8_t> update;
    std::vector<uint8_t> state_vector;  // after this update, if a client wants acks
    Callback done;
  };
  struct Deferred {  // a reply waiting for the commits it contains
    uint64_t after_seq = 0;
    std::weak_ptr<WsSession> session;
    std::vector<WsSession::Frame> frames;
    std::function<void(Result<std::vector<uint8_t>>)> state_done;  // committed_state()
    std::vector<uint8_t> state;
  };

  void on_loaded(Result<std::vector<std::vector<uint8_t>>> updates, uint64_t last_position, size_t log_entries,
                 size_t log_bytes, Clock::time_point started);
  void fail(protocol::CloseCode code, const std::string& reason);
  void greet(const std::shared_ptr<WsSession>& session);
  void handle_update(WsSession* origin, std::span<const uint8_t> update, Callback done);
  void handle_sync_step1(WsSession& session, std::span<const uint8_t> state_vector);
  //! The sync step 2 frames answering state vector `sv` (encoded as `key`), from the cache
  //! when the document has not changed since the same question was last answered.
  const std::vector<WsSession::Frame>& sync_reply(std::span<const uint8_t> key, const crdt::StateVector& sv);
  void handle_awareness(WsSession& session, std::span<const uint8_t> payload);
  void on_committed(Result<storage::LogPosition> position);
  void flush_broadcast();
  void send_deferred();
  void after_commits();
  void schedule_idle_check();
  void maybe_compact();
  void create_version(bool automatic);
  bool any_ack_clients() const;
  //! The document's state as a v1 update (from the encoding while hibernating).
  std::vector<uint8_t> encode_state() const;
  //! Something used the document: its hibernation waits for a quiet period after this.
  void touch();
  void arm_hibernation(Clock::duration after);
  //! Hibernates if the document has been quiet long enough with nothing under way.
  void maybe_hibernate();
  //! Rebuilds a hibernating document; false (and the room failed) if that fails.
  bool wake();
  //! Frees the encoding kept while hibernating.
  void forget_encoding();

  ServerContext& ctx_;
  IoThread& thread_;
  const std::string doc_id_;
  State state_ = State::kLoading;
  std::unique_ptr<crdt::Doc> doc_;  // nullptr while hibernating
  struct Hibernated {  // in ctx_.hibernated_memory
    std::pmr::vector<uint8_t> state;         // the document as a v1 update
    std::pmr::vector<uint8_t> state_vector;  // its state vector, encoded
  } hibernated_;
  Clock::time_point last_used_;
  bool hibernation_armed_ = false;
  std::vector<std::shared_ptr<WsSession>> sessions_;  // joined; greeted once kReady
  std::vector<std::function<void(Status)>> on_load_;
  protocol::AwarenessRoom awareness_;
  struct SyncCache {
    std::vector<uint8_t> key;  // the state vector asked with, as the client encoded it
    std::vector<WsSession::Frame> frames;  // empty: nothing cached (a reply has one or more)
  } sync_cache_;
  // Commit pipeline.
  uint64_t next_seq_ = 0;
  Fifo<Pending> pending_;
  size_t uncommitted_bytes_ = 0;
  std::vector<Pending> committed_;  // committed, not yet broadcast (flushed once per turn)
  bool flush_posted_ = false;
  Fifo<Deferred> deferred_;
  std::vector<std::function<void()>> on_drained_;  // when pending_ becomes empty
  // Storage bookkeeping.
  storage::LogPosition last_position_ = 0;
  size_t log_entries_ = 0;  // since the snapshot
  size_t log_bytes_ = 0;
  bool compacting_ = false;
  bool edited_since_version_ = false;
  Clock::time_point last_version_;
  Clock::time_point last_touch_;
  IoTimer idle_timer_;       // unload once no client is left
  IoTimer hibernate_timer_;  // hibernation once nobody edits
};

}  // namespace tandem::server
