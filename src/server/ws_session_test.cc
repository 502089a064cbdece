// WsSession on the wire, with a raw TCP client that writes frames byte by byte: a fragmented
// message with a ping between its fragments, protocol violations and their close codes, a
// message refused from its header, the client's close answered, and a silent connection
// pinged and then dropped.
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "server/server_test_util.h"
#include "server/ws_frame.h"
#include "server/ws_frame_test_util.h"
#include "storage/memory_storage.h"

namespace tandem::server {
namespace {

using testing::create_doc;
using testing::start_server;
using testing::TestClient;
using namespace std::chrono_literals;
namespace asio = boost::asio;

//! A WebSocket client that speaks frames by hand; blocking, with a receive timeout.
class RawClient {
 public:
  struct Frame {
    ws::Opcode opcode;
    std::vector<uint8_t> payload;
  };

  RawClient(uint16_t port, const std::string& doc) : socket_(ioc_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{5, 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string request = "GET /ws/" + doc +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    asio::write(socket_, asio::buffer(request));
    asio::read_until(socket_, in_, "\r\n\r\n");
    std::string head(asio::buffers_begin(in_.data()), asio::buffers_end(in_.data()));
    head_ = head.substr(0, head.find("\r\n\r\n") + 4);
    in_.consume(head_.size());
  }

  bool upgraded() const { return head_.rfind("HTTP/1.1 101", 0) == 0; }

  //! Sends raw bytes.
  void write(const std::vector<uint8_t>& bytes) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
  }

  //! A client frame: masked unless told otherwise.
  static std::vector<uint8_t> frame(ws::Opcode op, const std::vector<uint8_t>& payload, bool fin = true,
                                    bool masked = true) {
    return ws::client_frame(op, payload, fin, masked);
  }

  //! The next frame from the server; nullopt at the end of the stream or after the timeout.
  std::optional<Frame> read_frame() {
    uint8_t h[2];
    if (!read_exact(h, 2)) return std::nullopt;
    uint64_t len = h[1] & 0x7F;
    if (len >= 126) {
      uint8_t ext[8];
      const size_t n = len == 126 ? 2 : 8;
      if (!read_exact(ext, n)) return std::nullopt;
      len = 0;
      for (size_t i = 0; i < n; ++i) len = (len << 8) | ext[i];
    }
    Frame f{static_cast<ws::Opcode>(h[0] & 0x0F), std::vector<uint8_t>(len)};
    if (len && !read_exact(f.payload.data(), len)) return std::nullopt;
    return f;
  }
  //! Frames until one of `op` (skipping others); nullopt if the stream ends first.
  std::optional<Frame> read_until(ws::Opcode op) {
    while (auto f = read_frame()) {
      if (f->opcode == op) return f;
    }
    return std::nullopt;
  }
  //! Whether the server ends the stream (EOF) rather than the read timing out.
  bool ended() {
    uint8_t b;
    boost::system::error_code ec;
    while (true) {
      size_t n = read_some(&b, 1, ec);
      if (ec) return ec == asio::error::eof || ec == asio::error::connection_reset;
      if (n == 0) return false;
    }
  }

  static uint16_t close_code(const Frame& f) {
    return f.payload.size() >= 2 ? static_cast<uint16_t>(f.payload[0] << 8 | f.payload[1]) : 0;
  }

 private:
  size_t read_some(uint8_t* out, size_t n, boost::system::error_code& ec) {
    if (in_.size() > 0) {
      size_t k = asio::buffer_copy(asio::buffer(out, n), in_.data());
      in_.consume(k);
      return k;
    }
    return socket_.read_some(asio::buffer(out, n), ec);
  }
  bool read_exact(uint8_t* out, size_t n) {
    while (n > 0) {
      boost::system::error_code ec;
      size_t k = read_some(out, n, ec);
      if (ec || k == 0) return false;
      out += k;
      n -= k;
    }
    return true;
  }

  asio::io_context ioc_;
  asio::ip::tcp::socket socket_;
  asio::streambuf in_;
  std::string head_;
};


std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(WsSession, JoinsAFragmentedMessageAndAnswersAPingBetweenItsFragments) {
  storage::MemoryStorage st;
  auto server = start_server(st);
  create_doc(st, "w1");
  TestClient watcher(server->port(), "w1");
  ASSERT_TRUE(watcher.read_one());
  RawClient raw(server->port(), "w1");
  ASSERT_TRUE(raw.upgraded());
  ASSERT_TRUE(raw.read_until(ws::Opcode::kBinary));  // the server's sync step 1

  crdt::Doc doc;
  auto update = doc.transact([&](crdt::Transaction& t) {
    (void)crdt::text_insert(t, doc.get("t", crdt::TypeKind::Text), 0, "in three fragments");
  });
  auto message = protocol::encode_sync_update(update);
  const size_t third = message.size() / 3;
  std::vector<uint8_t> a(message.begin(), message.begin() + third);
  std::vector<uint8_t> b(message.begin() + third, message.begin() + 2 * third);
  std::vector<uint8_t> c(message.begin() + 2 * third, message.end());
  raw.write(RawClient::frame(ws::Opcode::kBinary, a, /*fin=*/false));
  raw.write(RawClient::frame(ws::Opcode::kPing, bytes("are you there")));
  raw.write(RawClient::frame(ws::Opcode::kContinuation, b, false));
  raw.write(RawClient::frame(ws::Opcode::kContinuation, c, true));

  auto pong = raw.read_until(ws::Opcode::kPong);
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->payload, bytes("are you there"));
  EXPECT_TRUE(watcher.read_until([&] { return watcher.text() == "in three fragments"; })) << watcher.text();
}

TEST(WsSession, ProtocolViolationsCloseWith1002AndChangeNothing) {
  storage::MemoryStorage st;
  auto server = start_server(st);
  create_doc(st, "w2");
  crdt::Doc doc;
  auto update = doc.transact([&](crdt::Transaction& t) {
    (void)crdt::text_insert(t, doc.get("t", crdt::TypeKind::Text), 0, "never applied");
  });
  auto message = protocol::encode_sync_update(update);
  std::vector<std::pair<const char*, std::vector<uint8_t>>> cases = {
      {"unmasked", RawClient::frame(ws::Opcode::kBinary, message, true, /*masked=*/false)},
      {"continuation first", RawClient::frame(ws::Opcode::kContinuation, message)},
      {"reserved opcode", RawClient::frame(static_cast<ws::Opcode>(0xB), message)},
  };
  for (auto& [name, bytes_out] : cases) {
    RawClient raw(server->port(), "w2");
    ASSERT_TRUE(raw.upgraded()) << name;
    ASSERT_TRUE(raw.read_until(ws::Opcode::kBinary)) << name;
    raw.write(bytes_out);
    auto close = raw.read_until(ws::Opcode::kClose);
    ASSERT_TRUE(close) << name;
    EXPECT_EQ(RawClient::close_code(*close), 1002) << name;
  }
  auto stored = st.log().read_after("w2", 0);
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->empty());
}

TEST(WsSession, RefusesAnOversizedMessageFromItsHeader) {
  storage::MemoryStorage st;
  ServerConfig config;
  config.max_frame_bytes = 1000;
  auto server = start_server(st, config);
  create_doc(st, "w3");
  RawClient raw(server->port(), "w3");
  ASSERT_TRUE(raw.upgraded());
  ASSERT_TRUE(raw.read_until(ws::Opcode::kBinary));
  // Announces 60,000 bytes (masked) and sends none of them.
  raw.write({0x82, 0x80 | 126, 0xEA, 0x60, 1, 2, 3, 4});
  auto close = raw.read_until(ws::Opcode::kClose);
  ASSERT_TRUE(close);
  EXPECT_EQ(RawClient::close_code(*close), 1009);
}

TEST(WsSession, AnswersTheClientsCloseAndEndsTheConnection) {
  storage::MemoryStorage st;
  auto server = start_server(st);
  create_doc(st, "w4");
  RawClient raw(server->port(), "w4");
  ASSERT_TRUE(raw.upgraded());
  ASSERT_TRUE(raw.read_until(ws::Opcode::kBinary));
  raw.write(RawClient::frame(ws::Opcode::kClose, {0x03, 0xE9, 'b', 'y', 'e'}));  // 1001
  auto close = raw.read_until(ws::Opcode::kClose);
  ASSERT_TRUE(close);
  EXPECT_EQ(RawClient::close_code(*close), 1001);
  EXPECT_TRUE(raw.ended());
}

TEST(WsSession, PingsASilentConnectionThenDropsIt) {
  storage::MemoryStorage st;
  ServerConfig config;
  config.idle_timeout_s = 0.6;
  auto server = start_server(st, config);
  create_doc(st, "w5");
  RawClient raw(server->port(), "w5");
  ASSERT_TRUE(raw.upgraded());
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(raw.read_until(ws::Opcode::kPing));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
  EXPECT_TRUE(raw.ended());  // no pong: dropped
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

}  // namespace
}  // namespace tandem::server
