// LoadRun: the machinery the scenarios share — one io_context (run on the caller's thread),
// the documents and their clients, the EditLedger, typing at a schedule, waiting for
// delivery and checking convergence. Scenarios (scenarios.h) drive it step by step: each
// call runs the event loop until its condition holds or its deadline passes, so every loop
// is bounded. Not thread-safe: everything happens on the thread that calls it.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "app/load/edit_ledger.h"
#include "app/load/framing.h"
#include "app/load/load_client.h"
#include "app/load/typist.h"
#include "common/status.h"

namespace tandem::load {

//! Where and how to connect.
struct ServerTarget {
  std::string host;       // Host header
  std::string port;
  std::string base_path;  // a document's path is base_path + "/" + its name
  Dialect dialect = Dialect::kYws;
  bool create_docs = false;  // create documents with POST /api/docs (tandemd)
};

//! One document and the clients on it; the first `typists` clients are its authors.
struct DocGroup {
  std::string name;
  std::vector<std::shared_ptr<LoadClient>> clients;
  std::shared_ptr<std::vector<crdt::ClientId>> authors;
};

struct ConnectResult {
  size_t connections = 0;
  double seconds = 0;  // from the first connect to the last client synced
  double per_second() const { return seconds > 0 ? static_cast<double>(connections) / seconds : 0; }
};

struct TypingResult {
  uint64_t edits = 0;
  double seconds = 0;
  double target_rate = 0;  // edits/s over all typists
  double generator_cpu_seconds = 0;
  double generator_wait_seconds = 0;  // runnable, waiting for a CPU held by others
  double achieved_rate() const { return seconds > 0 ? static_cast<double>(edits) / seconds : 0; }
};

struct Convergence {
  bool converged = true;  // every client of a document has the same text, nothing missing
  uint64_t lost_edits = 0;  // (receiver, edit) pairs a receiver never integrated
  std::string first_difference;  // a document whose clients differ, for the report
};

class LoadRun : public ClientObserver {
 public:
  LoadRun(ServerTarget target, uint64_t seed);
  LoadRun(const LoadRun&) = delete;
  LoadRun& operator=(const LoadRun&) = delete;
  ~LoadRun();

  //! Resolves the server address. REQUIRES: called once, before anything else.
  Status init();

  //! `count` document names for `label` (unique to this run), created through the API when
  //! the target asks for it.
  Result<std::vector<std::string>> make_documents(size_t count, const std::string& label);
  //! Adds a group of `clients` (not yet connected) on `doc`, the first `typists` of them
  //! authors. Returns its index in groups().
  size_t add_group(const std::string& doc, size_t clients, size_t typists);
  //! Adds one more client to a group (connect it with connect()); it is not an author.
  std::shared_ptr<LoadClient> add_client(size_t group);

  //! Connects the clients (at most kMaxConnectsInFlight at a time) and waits until each
  //! has synced, or `timeout_s`.
  Result<ConnectResult> connect(const std::vector<std::shared_ptr<LoadClient>>& clients, double timeout_s);
  //! Every client of every group (in group order).
  std::vector<std::shared_ptr<LoadClient>> all_clients() const;

  //! Typists of the groups: each group's authors, in group order.
  std::vector<Typist> typists();
  //! Types for `seconds`, each typist at `rate_per_typist` edits/s, spread over a tick of
  //! kTickMs, each typist with its own phase.
  Result<TypingResult> type(std::vector<Typist>& typists, double rate_per_typist, double seconds);
  //! Runs until every client has every edit typed in its document, or `timeout_s`. Returns
  //! whether everything arrived.
  bool drain(double timeout_s);
  //! Compares every document's clients.
  Convergence check() const;

  //! Runs the event loop for `seconds`.
  void run_for(double seconds);
  //! Runs the event loop until `done()` or `timeout_s`; returns done().
  bool run_until(const std::function<bool()>& done, double timeout_s);
  //! Closes every client and waits (bounded) for the closes.
  void close_all(double timeout_s);

  boost::asio::io_context& io() { return io_; }
  EditLedger& ledger() { return ledger_; }
  const std::vector<DocGroup>& groups() const { return groups_; }
  //! Connections that failed or were closed by the server, and the first reason.
  uint64_t failures() const { return failures_; }
  const std::string& first_failure() const { return first_failure_; }
  //! An error naming the failures, or Ok if there were none.
  Status failure_status() const;

  // ClientObserver
  void on_synced(LoadClient& client) override;
  void on_failed(LoadClient& client, const Status& why) override;

 private:
  std::shared_ptr<LoadClient> make_client(DocGroup& group);
  void start_keepalive();
  //! Starts queued clients while fewer than kMaxConnectsInFlight are connecting.
  void start_pending_connects();

  ServerTarget target_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::steady_timer keepalive_timer_;
  Target client_target_;  // endpoint and host; path set per document
  EditLedger ledger_;
  std::vector<DocGroup> groups_;
  std::mt19937_64 rng_;
  std::string run_tag_;
  uint64_t next_client_id_;
  std::deque<std::shared_ptr<LoadClient>> pending_connects_;
  size_t connects_in_flight_ = 0;
  uint64_t failures_ = 0;
  std::string first_failure_;
};

}  // namespace tandem::load
