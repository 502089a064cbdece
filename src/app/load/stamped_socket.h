// StampedSocket: a TCP socket that remembers when the kernel received the bytes it last read,
// so that the load generator can time a delivery at its arrival on the receiver's socket.
//
// The generator is one thread for thousands of simulated clients: when a server fans an edit
// out to 49 of them, the generator reads and integrates those 49 copies one after another
// (~30 us each here), so the last receiver's integration comes ~1.5 ms after its bytes
// arrived, whatever the server. The kernel's receive timestamp (SO_TIMESTAMPING, software RX)
// is taken when the server's write put the bytes in the receiver's socket: the latency to it is
// the server's alone. docs/benchmarks.md reports both.
//
// A Beast AsyncStream (the next layer of a websocket::stream): reads use recvmsg with control
// data, tried at once and after a wait for readability; writes go to the socket. Not
// thread-safe: one io_context thread, as the rest of the generator.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <sys/uio.h>

#include <cstdint>
#include <optional>
#include <utility>

namespace tandem::load {

class StampedSocket {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;

  explicit StampedSocket(boost::asio::io_context& io) : socket_(io) {}

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  boost::asio::ip::tcp::socket& socket() { return socket_; }

  //! After connecting: asks the kernel for receive timestamps, and makes reads non-blocking.
  boost::system::error_code enable_timestamps();
  //! When the bytes of the last read arrived, on the generator's clock (load_clock.h), if the
  //! kernel stamped them.
  std::optional<int64_t> last_received_ns() const { return last_received_ns_; }

  template <class MutableBufferSequence, class ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return boost::asio::async_initiate<ReadToken, void(boost::system::error_code, size_t)>(
        [this](auto handler, const MutableBufferSequence& bufs) {
          ReadOp<MutableBufferSequence, std::decay_t<decltype(handler)>>{this, bufs, std::move(handler)}.start();
        },
        token, buffers);
  }

  template <class ConstBufferSequence, class WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return socket_.async_write_some(buffers, std::forward<WriteToken>(token));
  }

 private:
  static constexpr size_t kMaxIov = 16;

  //! One recvmsg into up to kMaxIov of `buffers`; records the timestamp. would_block if none.
  template <class MutableBufferSequence>
  boost::system::error_code read_now(const MutableBufferSequence& buffers, size_t& n) {
    iovec iov[kMaxIov];
    size_t count = 0;
    for (boost::asio::mutable_buffer b : boost::beast::buffers_range_ref(buffers)) {
      if (count == kMaxIov) break;
      if (b.size() == 0) continue;
      iov[count++] = iovec{b.data(), b.size()};
    }
    return receive(iov, count, n);
  }
  boost::system::error_code receive(iovec* iov, size_t count, size_t& n);

  //! Tries to read; if nothing is there, waits for readability and tries again. Completes
  //! through the handler's executor, never inside async_read_some.
  template <class Buffers, class Handler>
  struct ReadOp {
    StampedSocket* self;
    Buffers buffers;
    Handler handler;

    void start() { try_read({}, /*inside_initiation=*/true); }
    void wait() {
      auto& socket = self->socket_;
      socket.async_wait(boost::asio::ip::tcp::socket::wait_read,
                        [op = std::move(*this)](boost::system::error_code ec) mutable { op.try_read(ec, false); });
    }
    //! Reads unless `ec` already failed; waits if nothing is there; else completes (posted when
    //! still inside async_read_some, where the handler must not run).
    void try_read(boost::system::error_code ec, bool inside_initiation) {
      size_t n = 0;
      if (!ec) ec = self->read_now(buffers, n);
      if (ec == boost::asio::error::would_block) return wait();
      auto ex = boost::asio::get_associated_executor(handler, self->get_executor());
      auto complete = [h = std::move(handler), ec, n]() mutable { std::move(h)(ec, n); };
      if (inside_initiation) {
        boost::asio::post(ex, std::move(complete));
      } else {
        boost::asio::dispatch(ex, std::move(complete));
      }
    }
  };

  boost::asio::ip::tcp::socket socket_;
  std::optional<int64_t> last_received_ns_;
};

//! Beast closes the socket with this on errors (found by argument-dependent lookup).
void beast_close_socket(StampedSocket& s);

//! Beast's WebSocket close handshake ends with these (found by argument-dependent lookup).
void teardown(boost::beast::role_type role, StampedSocket& s, boost::system::error_code& ec);

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, StampedSocket& s, TeardownHandler&& handler) {
  boost::beast::websocket::async_teardown(role, s.socket(), std::forward<TeardownHandler>(handler));
}

}  // namespace tandem::load
