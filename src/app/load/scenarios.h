// The scenarios of `tandem load` (issue 3, "Performance"): each connects its own clients
// through a fresh LoadRun, drives them, and emits Measurements.
//   a       1 doc x 50 clients, 5 typists at 10 edits/s each
//   b       100 docs x 10 clients, 1 typist each at 5 edits/s
//   c-hot   highest sustained edit rate with p99 <= 100 ms and nothing lost, 1 doc x 50
//           clients (5 typists); c-docs the same on 100 docs x 10 clients (1 typist each)
//   d       memory per idle connection and per loaded idle document, 5,000 connections
//           over 1,000 docs
//   e       a fresh client's full sync of a 100k-character document built from 20k edits,
//           alone and 20 at once
// Everything runs on the calling thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "app/load/load_run.h"
#include "app/load/measurement.h"
#include "common/status.h"

namespace tandem::load {

struct ScenarioOptions {
  double duration_s = 10;          // typing time (a, b), per ramp step (c)
  std::optional<double> rate;      // edits/s per typist (a, b); first step's total (c)
  pid_t server_pid = 0;            // 0: no server CPU/RSS figures
  double quiet_s = 5;              // longest wait for delivery after typing
  std::string label;               // copied into every measurement ("server")
  std::optional<size_t> docs;      // shape overrides (smaller runs, smoke tests)
  std::optional<size_t> clients;   // clients per document
  std::optional<size_t> typists;   // typists per document
  std::optional<size_t> edits;     // edits that build the document (e)
  std::optional<size_t> warmup_docs;  // documents taken through d's steps before its first reading
  uint64_t seed = 1;
};

using Emit = std::function<void(const Measurement&)>;

//! Scenario names run_scenario accepts: a, b, c-hot, c-docs, c (both), d, e, all.
const std::vector<std::string>& scenario_names();

//! Runs scenario `name` against `target`, emitting its measurements. An error says which
//! scenario and step failed and why.
Status run_scenario(const std::string& name, const ServerTarget& target, const ScenarioOptions& options,
                    const Emit& emit);

}  // namespace tandem::load
