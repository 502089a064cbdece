// LoadClient: one simulated collaborator — a real Yjs peer over one WebSocket. It keeps a
// crdt::Doc, opens the connection as the stock provider of its dialect does (auth for
// Hocuspocus, then sync step 1), answers the server's sync step 1 with step 2, integrates
// every update it receives (recording in the EditLedger which typed edits just arrived), and
// sends its own edits as sync update messages made by Doc::transact on the Y.Text "text".
// A delivery is timed twice: at the arrival of its bytes on the socket (StampedSocket) and
// when it is integrated.
//
// Async lifetime: shared_from_this; every handler runs on the run's single io_context
// thread, and every public method must be called from it. One async_read and at most one
// write (a queued message or the close) are outstanding at a time.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/load/edit_ledger.h"
#include "app/load/framing.h"
#include "app/load/stamped_socket.h"
#include "common/status.h"
#include "crdt/doc.h"

namespace tandem::load {

//! Where a client connects: the resolved server address, the Host header and the path of
//! its document.
struct Target {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string host;
  std::string path;
};

class LoadClient;

//! What a client tells the run about itself (called on the run's thread).
class ClientObserver {
 public:
  virtual void on_synced(LoadClient& client) = 0;
  //! The connection failed or the server closed it; `why` says what happened.
  virtual void on_failed(LoadClient& client, const Status& why) = 0;

 protected:
  virtual ~ClientObserver() = default;
};

class LoadClient : public std::enable_shared_from_this<LoadClient> {
 public:
  enum class State : uint8_t { kIdle, kConnecting, kSyncing, kSynced, kClosing, kClosed, kFailed };

  //! `authors`: the client ids that type in this document (whose edits the ledger tracks).
  LoadClient(boost::asio::io_context& io, Target target, Framing framing, crdt::ClientId id,
             std::shared_ptr<const std::vector<crdt::ClientId>> authors, EditLedger& ledger,
             ClientObserver& observer);
  LoadClient(const LoadClient&) = delete;
  LoadClient& operator=(const LoadClient&) = delete;

  //! Connects, handshakes and starts syncing. REQUIRES: state() == kIdle.
  void start();
  //! One edit in one transaction: deletes `del` units at `pos` (clamped to the text), then
  //! inserts `insert` there; records it in the ledger and sends it. Returns the id of the
  //! first inserted character.
  //! REQUIRES: state() == kSynced, `insert` non-empty (so the edit has a clock of its own).
  Result<crdt::ID> edit(uint64_t pos, uint64_t del, std::string_view insert);
  //! The same at a cursor kept as a character instead of an index (as an editor keeps it,
  //! relative to the text): inserts `insert` right after the character `after`, deleting that
  //! character first if `replace`. No search for an index. Returns the id of the first inserted
  //! character. REQUIRES: as edit(); `after` in the text.
  Result<crdt::ID> type_after(crdt::ID after, bool replace, std::string_view insert);
  //! From now on, the first sync step 2 is kept, not integrated, until finish_deferred_sync():
  //! the client counts as synced when the message arrives, so that clients syncing at once
  //! do not wait for each other's integration on the generator's one thread.
  //! REQUIRES: state() == kIdle.
  void defer_initial_sync() { defer_sync_ = true; }
  //! Integrates a kept sync step 2 (no-op if none).
  Status finish_deferred_sync();
  //! Sends the dialect's keepalive if it has one and the client is synced.
  void keepalive();
  //! Closes the WebSocket once queued messages are written.
  void close();
  //! Closes the socket now, without a close handshake or a report to the observer.
  void abort();

  State state() const { return state_; }
  bool synced() const { return state_ == State::kSynced; }
  bool finished() const { return state_ == State::kClosed || state_ == State::kFailed; }
  crdt::ClientId id() const { return id_; }
  const std::string& doc_name() const { return framing_.doc_name(); }
  //! When start() was called and when the first sync step 2 was integrated (0: not yet).
  int64_t started_ns() const { return started_ns_; }
  int64_t synced_ns() const { return synced_ns_; }
  //! UTF-16 length and content of the Y.Text.
  uint64_t text_length() const { return text_->length(); }
  std::string text() const;
  crdt::Clock clock_of(crdt::ClientId client) const { return doc_.store().state(client); }
  size_t queued_bytes() const { return queued_bytes_; }
  uint64_t messages_received() const { return messages_received_; }

 private:
  using Socket = boost::beast::websocket::stream<StampedSocket>;

  void on_connect(boost::system::error_code ec);
  void on_handshake(boost::system::error_code ec);
  void read();
  void on_read(boost::system::error_code ec, size_t bytes);
  Status handle(std::span<const uint8_t> message);
  Status integrate(std::span<const uint8_t> update, bool count_deliveries);
  //! Runs `change`, which inserts `insert` (non-empty), as one local transaction; records and
  //! sends its update. Returns the id of the first character inserted.
  Result<crdt::ID> transact_edit(std::string_view insert,
                                 const std::function<Status(crdt::Transaction&)>& change);
  void send(std::vector<uint8_t> message);
  void write_next();
  void on_write(boost::system::error_code ec);
  void fail(const Status& why);

  Target target_;
  Framing framing_;
  crdt::ClientId id_;
  std::shared_ptr<const std::vector<crdt::ClientId>> authors_;
  EditLedger& ledger_;
  ClientObserver& observer_;
  Socket ws_;
  boost::beast::flat_buffer buffer_;
  crdt::Doc doc_;
  crdt::Type* text_;
  std::deque<std::vector<uint8_t>> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool close_requested_ = false;
  State state_ = State::kIdle;
  int64_t started_ns_ = 0;
  int64_t synced_ns_ = 0;
  uint64_t messages_received_ = 0;
  //! When the message being handled arrived on the socket (the kernel's stamp, if it gave one).
  std::optional<int64_t> message_arrived_ns_;
  std::vector<crdt::Clock> before_;  // per author, reused by integrate()
  bool defer_sync_ = false;
  std::vector<uint8_t> deferred_step2_;
};

}  // namespace tandem::load
