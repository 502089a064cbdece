// fanout_floor: what the kernel alone charges a server, in CPU time, for each delivery of a
// small message over loopback TCP — the floor under any collaboration server that writes an
// edit to each receiver's socket. A sender process writes a message of --bytes to each of
// --receivers sockets, --rate times a second, and does nothing else; a receiver process on
// another core reads them all (epoll), as the load generator's clients do. The sender's CPU
// time (getrusage) divided by its writes is the floor for "server CPU per delivered edit" at
// the same fan-out and rate (docs/benchmarks.md, "The kernel's floor").
//
// Raw POSIX sockets on purpose: an event library would add its own costs to the floor.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

//! An owned file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "fanout_floor: %s: %s\n", what.c_str(), std::strerror(errno));
  std::_Exit(2);
}

void pin_to(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) die("pin to core " + std::to_string(cpu));
}

double cpu_seconds() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

//! The receiver: connects `n` sockets to `to` and reads everything until all are closed.
[[noreturn]] void receive(const sockaddr_in& to, int n) {
  std::vector<Fd> socks;
  Fd ep(epoll_create1(0));
  if (ep.get() < 0) die("epoll_create1");
  for (int i = 0; i < n; ++i) {
    socks.emplace_back(socket(AF_INET, SOCK_STREAM, 0));
    if (connect(socks.back().get(), reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) die("connect");
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.fd = socks.back().get();
    if (epoll_ctl(ep.get(), EPOLL_CTL_ADD, e.data.fd, &e) != 0) die("epoll_ctl");
  }
  std::vector<char> buf(64 * 1024);
  std::vector<epoll_event> events(256);
  for (int open = n; open > 0;) {
    const int k = epoll_wait(ep.get(), events.data(), static_cast<int>(events.size()), 10000);
    if (k <= 0) break;  // a sender that stopped without closing: give up after 10 s
    for (size_t j = 0; j < static_cast<size_t>(k); ++j) {
      if (read(events[j].data.fd, buf.data(), buf.size()) <= 0) {
        epoll_ctl(ep.get(), EPOLL_CTL_DEL, events[j].data.fd, nullptr);
        --open;
      }
    }
  }
  std::_Exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  int receivers = 49;
  double rate = 50;
  double seconds = 10;
  size_t bytes = 40;
  int sender_cpu = 0;
  int receiver_cpu = 1;
  CLI::App app{"the sender's CPU time per small write to many loopback TCP sockets"};
  app.add_option("--receivers", receivers, "sockets written to in each round")->capture_default_str()
      ->check(CLI::Range(1, 10000));
  app.add_option("--rate", rate, "rounds per second")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--seconds", seconds, "measured time")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--bytes", bytes, "bytes per write (a typed character's update frame: ~30-40)")
      ->capture_default_str()->check(CLI::Range(1, 65536));
  app.add_option("--sender-cpu", sender_cpu, "core of the sender (-1: not pinned)")->capture_default_str();
  app.add_option("--receiver-cpu", receiver_cpu, "core of the receiver (-1: not pinned)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  Fd listener(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener.get(), 4096) != 0 || getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    die("listen on 127.0.0.1");
  }
  const pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    pin_to(receiver_cpu);
    receive(addr, receivers);
  }
  pin_to(sender_cpu);
  std::vector<Fd> socks;
  for (int i = 0; i < receivers; ++i) {
    socks.emplace_back(accept(listener.get(), nullptr, nullptr));
    if (socks.back().get() < 0) die("accept");
    int one = 1;  // as every WebSocket server sets it
    setsockopt(socks.back().get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  const std::vector<char> message(bytes, 'x');
  const auto round_ns = static_cast<int64_t>(1e9 / rate);
  const auto rounds = static_cast<int64_t>(rate * seconds);
  timespec next{};
  clock_gettime(CLOCK_MONOTONIC, &next);
  const double cpu_before = cpu_seconds();
  int64_t writes = 0;
  for (int64_t r = 0; r < rounds; ++r) {
    for (const Fd& s : socks) {
      if (write(s.get(), message.data(), message.size()) != static_cast<ssize_t>(message.size())) die("write");
      ++writes;
    }
    next.tv_nsec += round_ns;
    while (next.tv_nsec >= 1000000000) {
      next.tv_nsec -= 1000000000;
      ++next.tv_sec;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr) == EINTR) {
    }
  }
  const double cpu = cpu_seconds() - cpu_before;
  socks.clear();
  waitpid(child, nullptr, 0);
  std::printf(
      "{\"receivers\":%d,\"rate\":%g,\"bytes\":%zu,\"writes\":%lld,\"sender_cpu_s\":%.4f,"
      "\"sender_cpu_us_per_write\":%.2f}\n",
      receivers, rate, bytes, static_cast<long long>(writes), cpu, cpu * 1e6 / static_cast<double>(writes));
  return 0;
}
