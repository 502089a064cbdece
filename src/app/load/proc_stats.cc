#include "app/load/proc_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tandem::load {

namespace {

Result<std::string> read_proc(pid_t pid, const char* what) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + what;
  std::ifstream in(path);
  if (!in) return Status::Error("cannot read " + path + " (is process " + std::to_string(pid) + " running?)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

double timeval_seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

}  // namespace

Result<double> process_cpu_seconds(pid_t pid) {
  auto text = read_proc(pid, "stat");
  if (!text) return text.status();
  // Fields after the command name, which is in parentheses and may contain spaces.
  const size_t close = text->rfind(')');
  if (close == std::string::npos) return Status::Error("/proc/" + std::to_string(pid) + "/stat: no ')'");
  std::istringstream fields(text->substr(close + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Field 3 (state) is the first after ')'; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  if (!fields) return Status::Error("/proc/" + std::to_string(pid) + "/stat: too few fields");
  const long ticks = sysconf(_SC_CLK_TCK);
  return static_cast<double>(utime + stime) / static_cast<double>(ticks > 0 ? ticks : 100);
}

Result<uint64_t> process_rss_bytes(pid_t pid) {
  auto text = read_proc(pid, "status");
  if (!text) return text.status();
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("VmRSS:", 0) != 0) continue;
    std::istringstream value(line.substr(6));
    uint64_t kb = 0;
    if (!(value >> kb)) break;
    return kb * 1024;
  }
  return Status::Error("/proc/" + std::to_string(pid) + "/status: no VmRSS line");
}

Result<double> process_wait_seconds(pid_t pid) {
  const std::string dir = (pid > 0 ? "/proc/" + std::to_string(pid) : std::string("/proc/self")) + "/task";
  std::error_code ec;
  double total = 0;
  for (const auto& task : std::filesystem::directory_iterator(dir, ec)) {
    std::ifstream in(task.path() / "schedstat");
    unsigned long long on_cpu = 0, waiting = 0;
    if (in >> on_cpu >> waiting) total += static_cast<double>(waiting) / 1e9;  // a thread may just have exited
  }
  if (ec) return Status::Error("cannot list " + dir + ": " + ec.message());
  return total;
}

double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return timeval_seconds(usage.ru_utime) + timeval_seconds(usage.ru_stime);
}

Result<ProcSample> ServerProbe::sample() const {
  if (!enabled()) return ProcSample{};
  auto cpu = process_cpu_seconds(pid_);
  if (!cpu) return Status::Error("server CPU: " + cpu.error());
  auto rss = process_rss_bytes(pid_);
  if (!rss) return Status::Error("server RSS: " + rss.error());
  auto wait = process_wait_seconds(pid_);
  return ProcSample{*cpu, *rss, wait ? *wait : 0.0};
}

Status ensure_fd_limit(uint64_t needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return Status::Error("getrlimit(RLIMIT_NOFILE) failed");
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur >= needed) return Status::Ok();
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) {
    return Status::Error("needs " + std::to_string(needed) + " file descriptors but the hard limit is " +
                         std::to_string(limit.rlim_max) + ": raise it (ulimit -Hn / ulimit -n " +
                         std::to_string(needed) + ")");
  }
  limit.rlim_cur = needed;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return Status::Error("could not raise the file descriptor limit to " + std::to_string(needed));
  }
  return Status::Ok();
}

}  // namespace tandem::load
