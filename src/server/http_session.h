// HttpSession: one HTTP/1.1 connection. Reads requests one at a time under the header and
// body caps, answers them through the Router, and hands a WebSocket upgrade for /ws/<docId>
// to the I/O thread of that document (the socket moves there; the session ends). Lives on the
// I/O thread that accepted the connection; owned by itself (shared_from_this) while a read or
// write is pending.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "server/http_util.h"
#include "server/server_context.h"

namespace tandem::server {

//! Answers HTTP requests other than WebSocket upgrades. Thread-safe.
class Router {
 public:
  using Respond = std::function<void(Response)>;
  virtual ~Router() = default;
  //! Calls `respond` exactly once, from any thread.
  virtual void handle(Request req, Respond respond) = 0;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  //! `slot` empty (no IP counted) with `over_limit`: the connection is over
  //! max_connections_per_ip, and its one request is answered 429 before it is closed.
  HttpSession(ServerContext& ctx, Router& router, boost::asio::ip::tcp::socket socket, IpSlot slot,
              bool over_limit = false);
  void start();

 private:
  void read_request();
  void on_read(boost::beast::error_code ec);
  void upgrade(Request req);
  void write(Response res);
  void on_write(bool keep_alive, boost::beast::error_code ec);

  ServerContext& ctx_;
  Router& router_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  IpSlot slot_;
  bool over_limit_ = false;
  uint64_t request_id_ = 0;  // of the request being answered, for log lines (req=N)
  std::string request_line_;
};

//! Target of a WebSocket upgrade: /ws/<docId>[?ack=1]. nullopt if the target is not one.
struct WsTarget {
  std::string doc_id;
  bool wants_ack = false;
};
std::optional<WsTarget> parse_ws_target(std::string_view target);
//! Whether `id` is a valid document id: 1-128 characters of [A-Za-z0-9_-].
bool valid_doc_id(std::string_view id);

}  // namespace tandem::server
