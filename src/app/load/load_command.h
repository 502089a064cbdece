// `tandem load`: the command-line face of the load generator — its options, registered as a
// subcommand of the `tandem` tool, and the function that runs the chosen scenario(s) and
// prints one line per measurement. Runs on the calling thread.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace tandem::load {

struct LoadArgs {
  std::string url = "ws://127.0.0.1:8080/ws";
  std::string dialect = "yws";
  std::string scenario = "a";
  double duration_s = 10;
  double rate = 0;  // 0: the scenario's own
  int server_pid = 0;
  bool json = false;
  bool create_docs = false;
  double quiet_s = 5;
  std::string label;
  size_t docs = 0, clients = 0, typists = 0, edits = 0;  // 0: the scenario's own
  std::optional<size_t> warmup_docs;
  uint64_t seed = 0;  // 0: from the clock
};

//! Adds the `load` subcommand to `app`, filling `args`.
CLI::App* add_load_command(CLI::App& app, LoadArgs& args);

//! Runs it; returns the process exit code (0 ok, 1 failure, 2 bad usage).
int run_load(const LoadArgs& args);

}  // namespace tandem::load
