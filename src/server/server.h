// Server: a running tandemd — storage opened, I/O threads started, listening. It owns the
// ServerContext and everything in it. Graceful shutdown (SIGTERM/SIGINT, or stop()): stop
// accepting, stop taking edits, wait for every pending commit (up to shutdown_timeout_s),
// close every WebSocket with 1012 "service restart" so clients reconnect, close storage.
// Construct and run() from one thread; stop() may be called from any thread.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <condition_variable>
#include <memory>
#include <thread>
#include <vector>

#include "server/server_context.h"

namespace tandem::server {

class Router;

class Server {
 public:
  //! Opens storage (the SQLite database in config.data_dir) and binds the listening socket.
  static Result<std::unique_ptr<Server>> create(ServerConfig config);
  //! With a storage the caller owns (tests: memory or fault-injecting storage).
  static Result<std::unique_ptr<Server>> create(ServerConfig config, storage::Storage& storage);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  //! The bound port (useful with port 0).
  uint16_t port() const { return port_; }
  //! Starts the I/O threads and accepting; returns at once.
  void start();
  //! Blocks until SIGTERM/SIGINT or stop(), then shuts down gracefully.
  void run_until_stopped();
  //! Asks for a graceful shutdown (thread-safe, idempotent).
  void stop();
  ServerContext& context() { return ctx_; }

 private:
  Server() = default;
  Status init(ServerConfig config, storage::Storage* storage);
  void accept();
  void shutdown();

  ServerContext ctx_;
  std::unique_ptr<storage::Storage> owned_storage_;
  std::unique_ptr<Router> router_;
  boost::asio::io_context accept_ioc_{1};
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  uint16_t port_ = 0;
  size_t next_thread_ = 0;
  std::vector<std::thread> threads_;
  std::thread accept_thread_;
  std::vector<std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>> work_;
  std::atomic<bool> stop_requested_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool shut_down_ = false;
};

}  // namespace tandem::server
