#include "app/load/stamped_socket.h"

#include <linux/net_tstamp.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "app/load/load_clock.h"

namespace tandem::load {

boost::system::error_code StampedSocket::enable_timestamps() {
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  if (ec) return ec;
  const int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
  if (setsockopt(socket_.native_handle(), SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags) != 0) {
    return {errno, boost::system::system_category()};
  }
  return {};
}

boost::system::error_code StampedSocket::receive(iovec* iov, size_t count, size_t& n) {
  n = 0;
  if (count == 0) return {};
  alignas(cmsghdr) char control[CMSG_SPACE(3 * sizeof(timespec))];
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  const ssize_t got = ::recvmsg(socket_.native_handle(), &msg, MSG_DONTWAIT);
  if (got < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return boost::asio::error::would_block;
    return {errno, boost::system::system_category()};
  }
  if (got == 0) return boost::asio::error::eof;
  n = static_cast<size_t>(got);
  last_received_ns_.reset();
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPING) continue;
    timespec software;  // [0] software, [1] deprecated, [2] hardware
    std::memcpy(&software, CMSG_DATA(c), sizeof software);
    if (software.tv_sec == 0 && software.tv_nsec == 0) continue;
    // The kernel's clock is CLOCK_REALTIME; the generator's is steady: shift by their
    // difference now (microseconds after the arrival, so no drift to speak of).
    timespec real_now;
    clock_gettime(CLOCK_REALTIME, &real_now);
    const int64_t real_ns = static_cast<int64_t>(real_now.tv_sec) * 1'000'000'000 + real_now.tv_nsec;
    const int64_t stamp_ns = static_cast<int64_t>(software.tv_sec) * 1'000'000'000 + software.tv_nsec;
    last_received_ns_ = now_ns() - (real_ns - stamp_ns);
  }
  return {};
}

void beast_close_socket(StampedSocket& s) {
  boost::system::error_code ignored;
  s.socket().close(ignored);
}

void teardown(boost::beast::role_type role, StampedSocket& s, boost::system::error_code& ec) {
  boost::beast::websocket::teardown(role, s.socket(), ec);
}

}  // namespace tandem::load
