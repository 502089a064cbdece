#include "app/load/scenarios.h"

#include "app/load/scenario_steps.h"

namespace tandem::load {

namespace {

// The shapes and rates issue 3 gives.
constexpr Shape kShapeA{1, 50, 5};
constexpr double kRateA = 10;
constexpr Shape kShapeB{100, 10, 1};
constexpr double kRateB = 5;
//! The ramps' first steps (total edits/s): at or a little above (a) and (b).
constexpr double kFirstRateHot = 250;
constexpr double kFirstRateDocs = 500;

Status run_one(const std::string& name, const ServerTarget& target, const ScenarioOptions& o, const Emit& emit) {
  if (name == "a") return run_steady("a", shape_with(kShapeA, o), o.rate.value_or(kRateA), target, o, emit);
  if (name == "b") return run_steady("b", shape_with(kShapeB, o), o.rate.value_or(kRateB), target, o, emit);
  if (name == "c-hot") return run_ramp("c-hot", shape_with(kShapeA, o), o.rate.value_or(kFirstRateHot), target, o, emit);
  if (name == "c-docs") return run_ramp("c-docs", shape_with(kShapeB, o), o.rate.value_or(kFirstRateDocs), target, o, emit);
  if (name == "d") return run_idle_memory(target, o, emit);
  if (name == "e") return run_full_sync(target, o, emit);
  return Status::Error("unknown scenario \"" + name + "\"");
}

}  // namespace

const std::vector<std::string>& scenario_names() {
  static const std::vector<std::string> names{"a", "b", "c-hot", "c-docs", "c", "d", "e", "all"};
  return names;
}

Status run_scenario(const std::string& name, const ServerTarget& target, const ScenarioOptions& options,
                    const Emit& emit) {
  std::vector<std::string> list;
  if (name == "all") list = {"a", "b", "c-hot", "c-docs", "d", "e"};
  else if (name == "c") list = {"c-hot", "c-docs"};
  else list = {name};
  for (const auto& one : list) {
    if (Status st = run_one(one, target, options, emit); !st) return Status::Error("scenario " + one + ": " + st.message());
  }
  return Status::Ok();
}

Status run_steady(const std::string& name, Shape shape, double rate_per_typist, const ServerTarget& target,
                  const ScenarioOptions& options, const Emit& emit) {
  LoadRun run(target, options.seed);
  if (Status st = run.init(); !st) return st;
  Measurement m = start_measurement(name, target, options);
  if (Status st = set_up(run, shape, name, options, m); !st) return st;
  auto window = typing_window(run, rate_per_typist, options.duration_s, options, m);
  if (!window) return window.status();
  emit(m);
  run.close_all(5);
  return Status::Ok();
}

}  // namespace tandem::load
