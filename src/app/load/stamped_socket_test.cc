// StampedSocket under a Beast WebSocket client: a message is timed at its arrival on the
// socket, not when the generator gets round to reading it, and the close handshake works.
#include "app/load/stamped_socket.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <optional>
#include <thread>

#include "app/load/load_clock.h"

namespace tandem::load {
namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using asio::ip::tcp;

TEST(StampedSocket, TimesAMessageAtItsArrivalAndClosesCleanly) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  websocket::stream<tcp::socket> server(io);
  websocket::stream<StampedSocket> client(io);
  boost::system::error_code connect_ec, accept_ec;
  client.next_layer().socket().async_connect(acceptor.local_endpoint(),
                                             [&](boost::system::error_code ec) { connect_ec = ec; });
  acceptor.async_accept(server.next_layer(), [&](boost::system::error_code ec) { accept_ec = ec; });
  io.run();
  io.restart();
  ASSERT_FALSE(connect_ec) << connect_ec.message();
  ASSERT_FALSE(accept_ec) << accept_ec.message();
  ASSERT_FALSE(client.next_layer().enable_timestamps());
  boost::system::error_code handshake_ec, server_accept_ec;
  client.async_handshake("127.0.0.1", "/", [&](boost::system::error_code ec) { handshake_ec = ec; });
  server.async_accept([&](boost::system::error_code ec) { server_accept_ec = ec; });
  io.run();
  io.restart();
  ASSERT_FALSE(handshake_ec) << handshake_ec.message();
  ASSERT_FALSE(server_accept_ec) << server_accept_ec.message();

  // The server writes; the client reads only 30 ms later. (Linux turns receive timestamps on
  // for the whole stack a moment after the first socket asks: the first messages may come
  // without one, which the generator then times when it reads them.)
  int64_t sent = 0, before_read = 0;
  std::optional<int64_t> arrived;
  for (int attempt = 0; attempt < 20 && !arrived; ++attempt) {
    sent = now_ns();
    server.write(asio::buffer(std::string("hello")));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    before_read = now_ns();
    boost::beast::flat_buffer buffer;
    boost::system::error_code read_ec;
    client.async_read(buffer, [&](boost::system::error_code ec, size_t) { read_ec = ec; });
    io.run();
    io.restart();
    ASSERT_FALSE(read_ec) << read_ec.message();
    ASSERT_EQ(boost::beast::buffers_to_string(buffer.data()), "hello");
    arrived = client.next_layer().last_received_ns();
  }
  ASSERT_TRUE(arrived) << "no receive timestamp in 20 messages";
  EXPECT_GE(*arrived, sent);
  EXPECT_LE(*arrived, before_read);

  // The close handshake, which ends in the wrapper's teardown.
  boost::system::error_code close_ec, server_read_ec;
  client.async_close(websocket::close_code::normal, [&](boost::system::error_code ec) { close_ec = ec; });
  boost::beast::flat_buffer sink;
  server.async_read(sink, [&](boost::system::error_code ec, size_t) { server_read_ec = ec; });
  io.run();
  EXPECT_FALSE(close_ec) << close_ec.message();
  EXPECT_EQ(server_read_ec, websocket::error::closed);
}

TEST(StampedSocket, ReportsTheEndOfTheStream) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  StampedSocket client(io);
  tcp::socket server(io);
  client.socket().connect(acceptor.local_endpoint());
  acceptor.accept(server);
  ASSERT_FALSE(client.enable_timestamps());
  server.close();
  char byte = 0;
  boost::system::error_code read_ec;
  size_t read_n = 1;
  client.async_read_some(asio::buffer(&byte, 1), [&](boost::system::error_code ec, size_t n) {
    read_ec = ec;
    read_n = n;
  });
  io.run();
  EXPECT_EQ(read_ec, asio::error::eof);
  EXPECT_EQ(read_n, 0u);
}

}  // namespace
}  // namespace tandem::load
