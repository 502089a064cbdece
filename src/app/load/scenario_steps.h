// Building blocks the scenarios share: setting up documents and clients of one shape, and
// one measured window of steady typing (send, deliver, check) with its figures. Internal to
// src/app/load; runs on the load run's thread.
#pragma once

#include <string>

#include "app/load/load_run.h"
#include "app/load/measurement.h"
#include "app/load/proc_stats.h"
#include "app/load/scenarios.h"

namespace tandem::load {

//! Documents, clients per document and typists per document.
struct Shape {
  size_t docs = 1;
  size_t clients = 1;
  size_t typists = 1;
};

//! `base` with the options' overrides applied.
Shape shape_with(Shape base, const ScenarioOptions& options);

//! Creates the shape's documents and clients in `run`, connects them all, and adds the
//! setup figures (docs, clients, typists, connections, connections_per_s) to `m`.
Status set_up(LoadRun& run, const Shape& shape, const std::string& label, const ScenarioOptions& options,
              Measurement& m);

//! What one typing window showed, beyond what it adds to its Measurement.
struct WindowOutcome {
  bool converged = false;
  uint64_t lost_edits = 0;
  double p99_ms = 0;
  double target_rate = 0;
  double achieved_rate = 0;
  bool generator_saturated = false;
  double server_cpu_us_per_delivery = 0;
};

//! Types at `rate_per_typist` for `seconds`, waits for delivery (at most options.quiet_s),
//! checks convergence, and adds the figures to `m`.
Result<WindowOutcome> typing_window(LoadRun& run, double rate_per_typist, double seconds,
                                    const ScenarioOptions& options, Measurement& m);

//! A Measurement for `scenario` with the run-wide fields (server label, dialect) set.
Measurement start_measurement(const std::string& scenario, const ServerTarget& target, const ScenarioOptions& options);

// The scenarios, one per file (scenario_*.cc); run_scenario picks one.
Status run_steady(const std::string& name, Shape shape, double rate_per_typist, const ServerTarget& target,
                  const ScenarioOptions& options, const Emit& emit);  // a, b
Status run_ramp(const std::string& name, Shape shape, double first_total_rate, const ServerTarget& target,
                const ScenarioOptions& options, const Emit& emit);  // c-hot, c-docs
Status run_idle_memory(const ServerTarget& target, const ScenarioOptions& options, const Emit& emit);  // d
Status run_full_sync(const ServerTarget& target, const ScenarioOptions& options, const Emit& emit);    // e

}  // namespace tandem::load
