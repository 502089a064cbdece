// Reading a process's resource use from /proc (Linux): CPU time (utime + stime of
// /proc/PID/stat), resident memory (VmRSS of /proc/PID/status) and the time its threads
// were runnable but waiting for a CPU (run_delay of /proc/PID/task/*/schedstat: how much
// other processes on the same cores held it back), for the server under load; and this
// process's own CPU time and wait, to tell when the load generator saturates.
// Stateless functions, callable from any thread.
#pragma once

#include <cstdint>
#include <sys/types.h>

#include "common/status.h"

namespace tandem::load {

//! CPU time (user + system) `pid` has used, in seconds.
Result<double> process_cpu_seconds(pid_t pid);
//! Resident set size of `pid` in bytes.
Result<uint64_t> process_rss_bytes(pid_t pid);
//! Seconds the threads of `pid` (0: this process) spent runnable, waiting for a CPU.
Result<double> process_wait_seconds(pid_t pid);
//! CPU time (user + system) of this process, in seconds.
double own_cpu_seconds();

//! One reading of a process's resource use.
struct ProcSample {
  double cpu_seconds = 0;
  uint64_t rss_bytes = 0;
  double wait_seconds = 0;  // runnable but not running (0 if the kernel keeps no schedstat)
};

//! The server under load, if its pid was given: samples of its CPU time and RSS.
class ServerProbe {
 public:
  explicit ServerProbe(pid_t pid = 0) : pid_(pid) {}
  bool enabled() const { return pid_ > 0; }
  //! A sample, or zeros when disabled.
  Result<ProcSample> sample() const;

 private:
  pid_t pid_;
};

//! Makes sure this process may open `needed` file descriptors, raising the soft limit up to
//! the hard limit if it must; an error says what `ulimit -n` would be needed.
Status ensure_fd_limit(uint64_t needed);

}  // namespace tandem::load
