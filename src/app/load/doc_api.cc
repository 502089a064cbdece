#include "app/load/doc_api.h"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace tandem::load {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

namespace {

//! Largest response accepted from the API (a document's metadata is a few hundred bytes).
constexpr size_t kMaxResponseBytes = 1024 * 1024;
//! Attempts per document when the keep-alive connection was closed under us.
constexpr int kAttempts = 2;

}  // namespace

DocApi::DocApi(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint endpoint, std::string host)
    : io_(io), endpoint_(endpoint), host_(std::move(host)), socket_(io) {}

Status DocApi::reconnect() {
  boost::system::error_code ec;
  socket_.close(ec);
  socket_ = boost::asio::ip::tcp::socket(io_);
  socket_.connect(endpoint_, ec);
  if (ec) return Status::Error("connect to " + host_ + " for POST /api/docs: " + ec.message());
  return Status::Ok();
}

Result<std::vector<std::string>> DocApi::create(size_t count, const std::string& title_prefix) {
  std::vector<std::string> ids;
  ids.reserve(count);
  if (Status st = reconnect(); !st) return st;
  for (size_t i = 0; i < count; ++i) {
    auto id = create_one(title_prefix + " " + std::to_string(i));
    for (int attempt = 1; !id && attempt < kAttempts; ++attempt) {
      if (Status st = reconnect(); !st) return st;
      id = create_one(title_prefix + " " + std::to_string(i));
    }
    if (!id) return Status::Error("creating document " + std::to_string(i) + " of " + std::to_string(count) + ": " + id.error());
    ids.push_back(std::move(id.value()));
  }
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  return ids;
}

Result<std::string> DocApi::create_one(const std::string& title) {
  http::request<http::string_body> req{http::verb::post, "/api/docs", 11};
  req.set(http::field::host, host_);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "tandem-load");
  req.keep_alive(true);
  req.body() = json::serialize(json::object{{"title", title}});
  req.prepare_payload();
  boost::system::error_code ec;
  http::write(socket_, req, ec);
  if (ec) return Status::Error("POST /api/docs: " + ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  http::read(socket_, buffer, parser, ec);
  if (ec) return Status::Error("POST /api/docs response: " + ec.message());
  const auto& res = parser.get();
  if (res.result_int() / 100 != 2) {
    return Status::Error("POST /api/docs answered " + std::to_string(res.result_int()) + ": " + res.body());
  }
  json::value body = json::parse(res.body(), ec);
  const json::object* obj = ec ? nullptr : body.if_object();
  const json::value* id = obj ? obj->if_contains("id") : nullptr;
  if (!id || !id->is_string()) return Status::Error("POST /api/docs: no \"id\" in " + res.body());
  if (!res.keep_alive()) {
    if (Status st = reconnect(); !st) return st;
  }
  return std::string(id->as_string());
}

}  // namespace tandem::load
