#include "server/server_test_util.h"

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace tandem::server::testing {

struct TestClient::Connection {
  boost::asio::io_context ioc;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws{ioc};
  boost::beast::flat_buffer buffer;
  bool pending = false;
  boost::beast::error_code result;
};

int http_status(uint16_t port, const std::string& method, const std::string& target) {
  namespace http = boost::beast::http;
  boost::asio::io_context ioc;
  boost::beast::tcp_stream stream(ioc);
  boost::beast::error_code ec;
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return 0;
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  req.prepare_payload();
  http::write(stream, req, ec);
  if (ec) return 0;
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return 0;
  return static_cast<int>(res.result_int());
}

TestClient::TestClient(uint16_t port, const std::string& doc, bool ack, crdt::ClientId client_id)
    : conn_(std::make_unique<Connection>()),
      doc_(crdt::DocOptions{.client_id = client_id ? client_id : next_id()}) {
  boost::asio::ip::tcp::resolver resolver(conn_->ioc);
  boost::beast::get_lowest_layer(conn_->ws).connect(resolver.resolve("127.0.0.1", std::to_string(port)));
  conn_->ws.binary(true);
  conn_->ws.handshake("127.0.0.1", "/ws/" + doc + (ack ? "?ack=1" : ""));
  send_step1();  // as a provider does on connect
}

TestClient::~TestClient() = default;

crdt::ClientId TestClient::next_id() {
  static std::atomic<crdt::ClientId> id{1000};
  return id.fetch_add(1);
}

void TestClient::send(const std::vector<uint8_t>& message) {
  boost::beast::error_code ec;
  conn_->ws.write(boost::asio::buffer(message), ec);
}

std::vector<uint8_t> TestClient::type(const std::string& text) {
  auto update = doc_.transact([&](crdt::Transaction& t) {
    (void)crdt::text_insert(t, doc_.get("t", crdt::TypeKind::Text), 0, text);
  });
  send(protocol::encode_sync_update(update));
  return update;
}

bool TestClient::read_one(std::chrono::milliseconds timeout) {
  if (closed()) return false;
  Connection& c = *conn_;
  if (!c.pending) {
    c.pending = true;
    c.ws.async_read(c.buffer, [&c](boost::beast::error_code ec, size_t) {
      c.pending = false;
      c.result = ec;
    });
  }
  auto deadline = Clock::now() + timeout;
  c.ioc.restart();
  while (c.pending && Clock::now() < deadline) c.ioc.run_one_until(deadline);
  if (c.pending) return false;
  if (c.result) {
    close_code_ = c.result == boost::beast::websocket::error::closed ? c.ws.reason().code : 0;
    return false;
  }
  ++messages_;
  auto data = c.buffer.cdata();
  handle({static_cast<const uint8_t*>(data.data()), data.size()});
  c.buffer.consume(c.buffer.size());
  return true;
}

void TestClient::handle(std::span<const uint8_t> data) {
  auto msg = protocol::parse_message(data);
  ASSERT_TRUE(msg.ok()) << msg.error();
  switch (msg->kind) {
    case protocol::MessageKind::kSyncStep1: {
      auto sv = protocol::decode_state_vector(msg->payload);
      ASSERT_TRUE(sv.ok());
      send(protocol::encode_sync_step2(doc_.encode_state_as_update(sv.value())));
      break;
    }
    case protocol::MessageKind::kSyncStep2:
    case protocol::MessageKind::kSyncUpdate:
      ASSERT_TRUE(doc_.apply_update(msg->payload).ok());
      break;
    case protocol::MessageKind::kAck: {
      auto sv = protocol::decode_state_vector(msg->payload);
      ASSERT_TRUE(sv.ok());
      last_ack_ = sv.value();
      break;
    }
    default:
      break;
  }
}

}  // namespace tandem::server::testing
