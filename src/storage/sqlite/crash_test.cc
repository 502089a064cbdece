// Crash safety: runs storage_crash_writer (crash_writer_main.cc), kills it with SIGKILL at
// random moments — while it appends and compacts — reopens the database, and checks that
// every position it acknowledged is stored (in the log or covered by the snapshot) and that
// every document loads, complete and in order. Several rounds on one database, so restarts
// after a crash continue the positions.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "storage/storage_test_util.h"

extern char** environ;

namespace tandem::storage {
namespace {

using testing::TempDir;

//! What one run of the writer printed before it died.
struct RunOutput {
  std::map<std::string, LogPosition> max_ack;  // per document
  size_t acks = 0;
  size_t compactions = 0;
  std::vector<std::string> errors;
};

void parse_line(const std::string& line, RunOutput& out) {
  std::istringstream in(line);
  std::string word, doc;
  LogPosition position = 0;
  in >> word;
  if (word == "ack" && (in >> doc >> position)) {
    ++out.acks;
    out.max_ack[doc] = std::max(out.max_ack[doc], position);
  } else if (word == "compacted") {
    ++out.compactions;
  } else if (word != "ready") {
    out.errors.push_back(line);
  }
}

//! Starts the writer, lets it run for `run_for` after it is ready (and, with
//! `until_compaction`, until it has compacted, for at most kMaxWait), kills it with SIGKILL
//! and returns every whole line it printed (including those still in the pipe).
RunOutput run_and_kill(const std::string& dir, int client, std::chrono::milliseconds run_for,
                       bool until_compaction) {
  constexpr std::chrono::seconds kMaxWait{10};
  int fds[2];
  EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::string exe = TANDEM_CRASH_WRITER, client_arg = std::to_string(client);
  char* argv[] = {exe.data(), const_cast<char*>(dir.c_str()), client_arg.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  RunOutput out;
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << exe << ": " << strerror(rc);
    close(fds[0]);
    return out;
  }

  using Clock = std::chrono::steady_clock;
  auto give_up = Clock::now() + kMaxWait;
  auto kill_at = give_up;  // until ready; then run_for
  std::string pending;
  bool killed = false, eof = false;
  while (!eof) {
    bool waiting = until_compaction && out.compactions == 0 && Clock::now() < give_up;
    if (!killed && Clock::now() >= kill_at && !waiting) {
      kill(pid, SIGKILL);
      killed = true;
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        (waiting ? give_up : kill_at) - Clock::now());
    pollfd p{fds[0], POLLIN, 0};
    poll(&p, 1, killed ? -1 : std::max<int>(0, int(wait.count())));
    char buf[4096];
    ssize_t n = (p.revents & (POLLIN | POLLHUP)) ? read(fds[0], buf, sizeof buf) : 0;
    if (n < 0) break;
    if (n == 0 && (p.revents & POLLHUP)) eof = true;
    pending.append(buf, size_t(n > 0 ? n : 0));
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
      std::string line = pending.substr(0, nl);
      if (line == "ready" && !killed) {
        kill_at = Clock::now() + run_for;
        give_up = Clock::now() + kMaxWait;
      }
      parse_line(line, out);
    }
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the writer ended on its own: status " << status;
  return out;
}

//! Reopens the database and checks every document against what was acknowledged.
void check_database(const std::string& dir, const std::map<std::string, LogPosition>& acked) {
  auto storage = testing::open_sqlite(dir);
  ASSERT_TRUE(storage);
  for (const auto& [doc, max_ack] : acked) {
    auto stored = storage->load_document(doc);
    ASSERT_TRUE(stored.ok()) << stored.error();
    // The tail follows the snapshot without a gap.
    LogPosition expected = stored->snapshot ? stored->snapshot->covers : 0;
    for (const LogEntry& e : stored->tail) ASSERT_EQ(e.position, ++expected) << doc;
    LogPosition last = stored->last_position();
    EXPECT_GE(last, max_ack) << doc << ": an acknowledged position is missing";

    crdt::Doc loaded;
    if (stored->snapshot) {
      ASSERT_TRUE(loaded.apply_update(stored->snapshot->state).ok()) << doc;
    }
    for (const LogEntry& e : stored->tail) ASSERT_TRUE(loaded.apply_update(e.update).ok()) << doc;
    EXPECT_FALSE(loaded.has_pending()) << doc;
    // Update n wrote "n," and is stored at position n + 1: all of 0..last-1, in order.
    std::string want;
    for (LogPosition n = 0; n < last; ++n) want += std::to_string(n) + ",";
    EXPECT_EQ(testing::text_of(loaded), want) << doc;
  }
}

TEST(CrashSafety, AcknowledgedUpdatesSurviveSigkill) {
  constexpr int kRounds = 6;
  TempDir dir;
  std::mt19937 random(20261128);
  std::uniform_int_distribution<int> run_ms(20, 350);
  std::map<std::string, LogPosition> acked;
  size_t acks = 0, compactions = 0;
  for (int round = 0; round < kRounds; ++round) {
    // The last round waits for a compaction if none has happened yet (a slow machine).
    bool last = round == kRounds - 1;
    RunOutput out = run_and_kill(dir.path(), 100 + round, std::chrono::milliseconds(run_ms(random)),
                                 last && compactions == 0);
    EXPECT_TRUE(out.errors.empty()) << out.errors.front();
    for (const auto& [doc, p] : out.max_ack) acked[doc] = std::max(acked[doc], p);
    acks += out.acks;
    compactions += out.compactions;
    check_database(dir.path(), acked);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(acks, 0u);
  EXPECT_GT(compactions, 0u) << "the kills should also hit runs that compact";
  RecordProperty("acks", int(acks));
  RecordProperty("compactions", int(compactions));
}

}  // namespace
}  // namespace tandem::storage
