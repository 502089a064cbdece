#include "server/server.h"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <spdlog/spdlog.h>

#include "server/http_session.h"
#include "server/room.h"
#include "server/room_registry.h"
#include "server/routes.h"
#include "storage/sqlite/sqlite_storage.h"

namespace tandem::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
//! Upkeep threads: two, so that one large document's compaction does not hold back the others'.
constexpr unsigned kUpkeepThreads = 2;
}  // namespace

bool IpCounter::acquire(const std::string& ip) {
  std::lock_guard lock(mu_);
  size_t& n = open_[ip];
  if (max_ != 0 && n >= max_) {
    if (n == 0) open_.erase(ip);
    return false;
  }
  ++n;
  return true;
}

void IpCounter::release(const std::string& ip) {
  std::lock_guard lock(mu_);
  auto it = open_.find(ip);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

IoThread& ServerContext::thread_of(const std::string& doc_id) {
  return *threads[std::hash<std::string>{}(doc_id) % threads.size()];
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<Server>> Server::create(ServerConfig config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Status::Error("data folder " + config.data_dir + ": " + ec.message());
  storage::sqlite::SqliteOptions options;
  options.data_dir = config.data_dir;
  options.synchronous = config.sqlite_synchronous == "full" ? storage::sqlite::SqliteOptions::Synchronous::Full
                                                              : storage::sqlite::SqliteOptions::Synchronous::Normal;
  options.writer_cache_kib = config.sqlite_writer_cache_kib;
  auto opened = storage::sqlite::SqliteStorage::open(options);
  if (!opened) return opened.status();
  std::unique_ptr<Server> server(new Server());
  server->owned_storage_ = std::move(opened.value());
  if (Status st = server->init(std::move(config), server->owned_storage_.get()); !st) return st;
  return server;
}

Result<std::unique_ptr<Server>> Server::create(ServerConfig config, storage::Storage& storage) {
  std::unique_ptr<Server> server(new Server());
  if (Status st = server->init(std::move(config), &storage); !st) return st;
  return server;
}

Status Server::init(ServerConfig config, storage::Storage* storage) {
  ctx_.config = std::move(config);
  ctx_.storage = storage;
  unsigned n = ctx_.config.threads ? ctx_.config.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    auto t = std::make_unique<IoThread>();
    t->rooms = std::make_unique<RoomRegistry>(ctx_, *t);
    ctx_.threads.push_back(std::move(t));
  }
  ctx_.blocking = std::make_unique<asio::thread_pool>(2);
  ctx_.upkeep = std::make_unique<UpkeepPool>(kUpkeepThreads, ctx_.config.upkeep_nice);
  ctx_.ips = std::make_unique<IpCounter>(ctx_.config.max_connections_per_ip);
  router_ = make_router(ctx_);
  auto addr = ctx_.config.listen_address();
  if (!addr) return addr.status();
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(addr->first == "localhost" ? "127.0.0.1" : addr->first, ec);
  if (ec) return Status::Error("listen " + ctx_.config.listen + ": " + ec.message());
  tcp::endpoint endpoint(ip, addr->second);
  acceptor_ = std::make_unique<tcp::acceptor>(accept_ioc_);
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::Error("listen " + ctx_.config.listen + ": " + ec.message());
  port_ = acceptor_->local_endpoint().port();
  return Status::Ok();
}

Server::~Server() {
  stop();
  shutdown();
}

void Server::start() {
  for (auto& t : ctx_.threads) {
    work_.push_back(std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(t->ioc.get_executor()));
    threads_.emplace_back([&ioc = t->ioc] { ioc.run(); });
  }
  accept();
  accept_thread_ = std::thread([this] { accept_ioc_.run(); });
  spdlog::info("tandemd listening on {} ({} I/O threads, web root {}, data {})", ctx_.config.listen,
               ctx_.threads.size(), ctx_.config.web_root, ctx_.config.data_dir);
}

void Server::accept() {
  // Connections are spread over the I/O threads; a WebSocket moves to its document's thread.
  IoThread& target = *ctx_.threads[next_thread_++ % ctx_.threads.size()];
  acceptor_->async_accept(target.ioc, [this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) return;
    if (!ec) {
      boost::system::error_code ep_ec;
      auto remote = socket.remote_endpoint(ep_ec);
      std::string ip = ep_ec ? "?" : remote.address().to_string();
      bool over_limit = !ctx_.ips->acquire(ip);
      if (over_limit) {
        ctx_.metrics.reject(Rejection::kConnectionsPerIp);
        spdlog::warn("connection from {} over max_connections_per_ip: answered 429", ip);
      }
      socket.set_option(tcp::no_delay(true), ep_ec);
      auto executor = socket.get_executor();
      IpSlot slot = over_limit ? IpSlot() : IpSlot(ctx_.ips.get(), ip);
      asio::post(executor, [this, socket = std::move(socket), slot = std::move(slot), over_limit]() mutable {
        std::make_shared<HttpSession>(ctx_, *router_, std::move(socket), std::move(slot), over_limit)->start();
      });
    }
    accept();
  });
}

void Server::run_until_stopped() {
  asio::io_context signals_ioc;
  asio::signal_set signals(signals_ioc, SIGINT, SIGTERM);
  signals.async_wait([this](boost::system::error_code ec, int sig) {
    if (!ec) {
      spdlog::info("signal {}: shutting down", sig);
      stop();
    }
  });
  std::thread signal_thread([&] { signals_ioc.run(); });
  {
    std::unique_lock lock(stop_mu_);
    stop_cv_.wait(lock, [this] { return stop_requested_.load(); });
  }
  signals_ioc.stop();
  signal_thread.join();
  shutdown();
}

void Server::stop() {
  {
    std::lock_guard lock(stop_mu_);
    stop_requested_ = true;
  }
  stop_cv_.notify_all();
}

void Server::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  ctx_.stopping = true;
  // 1. Stop accepting.
  asio::post(accept_ioc_, [this] {
    boost::system::error_code ec;
    if (acceptor_) acceptor_->close(ec);
  });
  if (accept_thread_.joinable()) accept_thread_.join();
  // 2. Every room: wait for its commits, then close its clients with "service restart".
  if (!threads_.empty()) {
    std::vector<std::future<void>> done;
    for (auto& t : ctx_.threads) {
      auto promise = std::make_shared<std::promise<void>>();
      done.push_back(promise->get_future());
      asio::post(t->ioc, [&t, promise] {
        auto rooms = t->rooms->all();
        auto left = std::make_shared<size_t>(rooms.size());
        if (rooms.empty()) return promise->set_value();
        for (auto& room : rooms) {
          room->close_all(protocol::CloseCode::kServiceRestart, "server restarting", [left, promise] {
            if (--*left == 0) promise->set_value();
          });
        }
      });
    }
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(static_cast<int64_t>(ctx_.config.shutdown_timeout_s * 1000));
    for (auto& f : done) {
      if (f.wait_until(deadline) != std::future_status::ready) {
        spdlog::warn("shutdown: commits still pending after {} s", ctx_.config.shutdown_timeout_s);
        break;
      }
    }
    // Give the close frames a moment to be written.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // 3. Storage commits what is queued (a borrowed storage is its owner's to close); then the
  // threads stop.
  if (owned_storage_) owned_storage_->close();
  ctx_.blocking->join();
  ctx_.upkeep->join();
  work_.clear();
  for (auto& t : ctx_.threads) t->ioc.stop();
  for (auto& th : threads_) {
    if (th.joinable()) th.join();
  }
  threads_.clear();
  spdlog::info("tandemd stopped");
}

}  // namespace tandem::server
