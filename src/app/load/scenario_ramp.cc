// Scenario c: the highest sustained edit rate with p99 <= 100 ms and nothing lost. One set
// of connections; the total rate grows by kGrowth each step until a step fails (p99 over
// the bound, edits lost, a connection lost) or the generator itself saturates.
#include "app/load/scenario_steps.h"

namespace tandem::load {

namespace {

constexpr double kP99BoundMs = 100;
constexpr double kGrowth = 1.5;
//! Steps at most: 250 edits/s x 1.5^19 is far past any single-core server.
constexpr int kMaxSteps = 20;

}  // namespace

Status run_ramp(const std::string& name, Shape shape, double first_total_rate, const ServerTarget& target,
                const ScenarioOptions& options, const Emit& emit) {
  LoadRun run(target, options.seed);
  if (Status st = run.init(); !st) return st;
  Measurement setup = start_measurement(name, target, options);
  if (Status st = set_up(run, shape, name, options, setup); !st) return st;
  const double typists = static_cast<double>(shape.docs * shape.typists);

  double best_rate = 0, best_cpu_us = 0, best_p99 = 0, highest_rate = 0;
  std::string stop = "reached the step limit";
  double rate = first_total_rate;
  for (int step = 0; step < kMaxSteps; ++step, rate *= kGrowth) {
    Measurement m = start_measurement(name + "-step", target, options);
    m.set("step", static_cast<uint64_t>(step));
    auto w = typing_window(run, rate / typists, options.duration_s, options, m);
    if (!w) {
      stop = "connection failed: " + w.status().message();
      break;
    }
    emit(m);
    highest_rate = std::max(highest_rate, w->achieved_rate);
    const bool within = w->p99_ms <= kP99BoundMs && w->converged && w->lost_edits == 0;
    if (within) {
      best_rate = w->achieved_rate;
      best_cpu_us = w->server_cpu_us_per_delivery;
      best_p99 = w->p99_ms;
    }
    if (!w->converged || w->lost_edits > 0) { stop = "edits lost or not converged"; break; }
    if (w->generator_saturated) { stop = "generator saturated"; break; }
    if (!within) { stop = "p99 over 100 ms"; break; }
  }
  Measurement summary = start_measurement(name, target, options);
  summary.set("docs", static_cast<uint64_t>(shape.docs))
      .set("clients_per_doc", static_cast<uint64_t>(shape.clients))
      .set("typists_per_doc", static_cast<uint64_t>(shape.typists))
      .set("max_edits_per_s", best_rate)
      .set("p99_ms_at_max", best_p99)
      .set("highest_edits_per_s_tried", highest_rate)
      .set("stopped_by", stop);
  if (options.server_pid > 0) summary.set("server_cpu_us_per_delivered_edit_at_max", best_cpu_us);
  emit(summary);
  run.close_all(5);
  return Status::Ok();
}

}  // namespace tandem::load
