#include "server/http_session.h"

#include <boost/asio/post.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include "server/ws_session.h"

namespace tandem::server {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
// A request must arrive whole within this; a keep-alive connection may idle this long.
constexpr auto kRequestTimeout = std::chrono::seconds(30);
// A connection over max_connections_per_ip gets this long to send the request it is refused.
constexpr auto kOverLimitTimeout = std::chrono::seconds(2);
}  // namespace

bool valid_doc_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

std::optional<WsTarget> parse_ws_target(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return std::nullopt;
  std::string path = url->path();
  if (path.rfind("/ws/", 0) != 0) return std::nullopt;
  WsTarget t;
  t.doc_id = path.substr(4);
  if (!valid_doc_id(t.doc_id)) return std::nullopt;
  for (auto param : url->params()) {
    if (param.key == "ack") t.wants_ack = param.has_value && (param.value == "1" || param.value == "true");
  }
  return t;
}

HttpSession::HttpSession(ServerContext& ctx, Router& router, tcp::socket socket, IpSlot slot, bool over_limit)
    : ctx_(ctx), router_(router), stream_(std::move(socket)), slot_(std::move(slot)), over_limit_(over_limit) {}

void HttpSession::start() { read_request(); }

void HttpSession::read_request() {
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(ctx_.config.max_request_header_bytes));
  parser_->body_limit(ctx_.config.max_request_body_bytes);
  stream_.expires_after(over_limit_ ? kOverLimitTimeout : kRequestTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
}

void HttpSession::on_read(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    return;
  }
  if (ec) {
    // Over a cap, or not HTTP: answer once if possible, then close.
    ctx_.metrics.reject(Rejection::kBadRequest);
    Request dummy;
    dummy.version(11);
    dummy.keep_alive(false);
    http::status st = (ec == http::error::body_limit)     ? http::status::payload_too_large
                      : (ec == http::error::header_limit) ? http::status::request_header_fields_too_large
                                                          : http::status::bad_request;
    write(error_response(dummy, st, "bad_request", "HTTP request refused: " + ec.message()));
    return;
  }
  Request req = parser_->release();
  ctx_.metrics.http_requests.fetch_add(1, std::memory_order_relaxed);
  request_id_ = ctx_.next_connection_id.fetch_add(1, std::memory_order_relaxed);
  request_line_ = std::string(req.method_string()) + " " + std::string(req.target());
  spdlog::debug("req={} ip={} {}", request_id_, slot_.ip(), request_line_);
  if (over_limit_) {
    req.keep_alive(false);
    auto res = error_response(req, http::status::too_many_requests, "too_many_connections",
                              "too many connections from your address (max_connections_per_ip)");
    res.set(http::field::retry_after, "5");
    return write(std::move(res));
  }
  if (beast::websocket::is_upgrade(req)) {
    upgrade(std::move(req));
    return;
  }
  auto executor = stream_.get_executor();
  router_.handle(std::move(req), [self = shared_from_this(), executor](Response res) {
    asio::post(executor, [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
  });
}

void HttpSession::upgrade(Request req) {
  auto target = parse_ws_target(req.target());
  if (!target) {
    ctx_.metrics.reject(Rejection::kBadRequest);
    req.keep_alive(false);
    write(error_response(req, http::status::not_found, "not_found",
                         "the WebSocket endpoint is /ws/<docId>, docId of 1-128 characters [A-Za-z0-9_-]"));
    return;
  }
  if (ctx_.stopping.load()) {
    req.keep_alive(false);
    write(error_response(req, http::status::service_unavailable, "shutting_down", "the server is restarting"));
    return;
  }
  // Move the socket to the document's I/O thread; the WebSocket session lives there.
  stream_.expires_never();
  tcp::socket socket = stream_.release_socket();
  beast::error_code ec;
  tcp::endpoint local = socket.local_endpoint(ec);
  if (ec) return;
  int fd = socket.release(ec);
  if (ec) return;
  IoThread& thread = ctx_.thread_of(target->doc_id);
  asio::post(thread.ioc, [&ctx = ctx_, &thread, fd, protocol = local.protocol(), target = std::move(*target),
                          req = std::move(req), slot = std::move(slot_)]() mutable {
    beast::error_code assign_ec;
    tcp::socket moved(thread.ioc);
    moved.assign(protocol, fd, assign_ec);
    if (assign_ec) {
      ::close(fd);
      return;
    }
    std::make_shared<WsSession>(ctx, thread, std::move(moved), std::move(target), std::move(slot))->start(std::move(req));
  });
}

void HttpSession::write(Response res) {
  if (res.result_int() >= 500) {
    spdlog::warn("req={} {} -> {} {}", request_id_, request_line_, res.result_int(), res.body());
  } else {
    spdlog::debug("req={} -> {}", request_id_, res.result_int());
  }
  bool keep_alive = res.keep_alive() && !ctx_.stopping.load();
  res.keep_alive(keep_alive);
  auto msg = std::make_shared<Response>(std::move(res));
  http::async_write(stream_, *msg, [self = shared_from_this(), msg, keep_alive](beast::error_code ec, size_t) {
    self->on_write(keep_alive, ec);
  });
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec) {
  if (ec || !keep_alive) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    return;
  }
  read_request();
}

}  // namespace tandem::server
