#include "app/load/scenario_steps.h"

#include "app/load/load_clock.h"

namespace tandem::load {

namespace {

//! The generator counts as saturated when its own CPU time is above this share of the
//! typing time (it has one thread: 1.0 is a full core) ...
constexpr double kSaturatedCpuShare = 0.9;
//! ... or when the typists fell this far behind their schedule.
constexpr double kSaturatedRateShare = 0.95;
//! Longest wait for all clients to connect and sync.
constexpr double kConnectTimeoutS = 120;

double ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

}  // namespace

Shape shape_with(Shape base, const ScenarioOptions& options) {
  if (options.docs) base.docs = *options.docs;
  if (options.clients) base.clients = *options.clients;
  if (options.typists) base.typists = *options.typists;
  return base;
}

Measurement start_measurement(const std::string& scenario, const ServerTarget& target, const ScenarioOptions& options) {
  Measurement m(scenario);
  if (!options.label.empty()) m.set("server", options.label);
  m.set("dialect", std::string(to_string(target.dialect)));
  return m;
}

Status set_up(LoadRun& run, const Shape& shape, const std::string& label, const ScenarioOptions& options,
              Measurement& m) {
  if (shape.docs == 0 || shape.clients < 2 || shape.typists == 0 || shape.typists > shape.clients) {
    return Status::Error("shape needs docs >= 1, clients >= 2 and 1 <= typists <= clients");
  }
  if (Status st = ensure_fd_limit(shape.docs * shape.clients + 256); !st) return st;
  auto names = run.make_documents(shape.docs, label);
  if (!names) return names.status();
  for (const auto& name : *names) run.add_group(name, shape.clients, shape.typists);
  ServerProbe probe(options.server_pid);
  auto before = probe.sample();
  if (!before) return before.status();
  auto connected = run.connect(run.all_clients(), kConnectTimeoutS);
  if (!connected) return connected.status();
  auto after = probe.sample();
  if (!after) return after.status();
  m.set("docs", static_cast<uint64_t>(shape.docs))
      .set("clients_per_doc", static_cast<uint64_t>(shape.clients))
      .set("typists_per_doc", static_cast<uint64_t>(shape.typists))
      .set("connections", static_cast<uint64_t>(connected->connections))
      .set("connections_per_s", connected->per_second());
  if (probe.enabled()) {
    m.set("server_cpu_us_per_connection",
          (after->cpu_seconds - before->cpu_seconds) * 1e6 / static_cast<double>(connected->connections));
  }
  return Status::Ok();
}

Result<WindowOutcome> typing_window(LoadRun& run, double rate_per_typist, double seconds,
                                    const ScenarioOptions& options, Measurement& m) {
  ServerProbe probe(options.server_pid);
  auto typists = run.typists();
  run.ledger().reset_window();
  auto before = probe.sample();
  if (!before) return before.status();
  const int64_t start = now_ns();
  auto typed = run.type(typists, rate_per_typist, seconds);
  if (!typed) return typed.status();
  const int64_t typed_end = now_ns();
  const bool delivered = run.drain(options.quiet_s);
  const int64_t end = now_ns();
  auto after = probe.sample();
  if (!after) return after.status();
  const Convergence conv = run.check();
  if (Status st = run.failure_status(); !st) return st;

  WindowOutcome out;
  const auto& latency = run.ledger().latency();
  const auto& arrival = run.ledger().arrival_latency();
  const uint64_t deliveries = run.ledger().deliveries();
  const double window_s = seconds_between(start, end);
  out.converged = conv.converged && delivered;
  out.lost_edits = conv.lost_edits;
  out.p99_ms = ms(latency.percentile_ns(0.99));
  out.target_rate = typed->target_rate;
  out.achieved_rate = typed->achieved_rate();
  const double cpu_share = typed->generator_cpu_seconds / std::max(typed->seconds, 1e-9);
  out.generator_saturated = cpu_share > kSaturatedCpuShare || out.achieved_rate < kSaturatedRateShare * out.target_rate;
  m.set("target_edits_per_s", out.target_rate)
      .set("edits", typed->edits)
      .set("edits_per_s", out.achieved_rate)
      .set("deliveries", deliveries)
      .set("deliveries_per_s", static_cast<double>(deliveries) / window_s)
      .set("p50_ms", ms(latency.percentile_ns(0.50)))
      .set("p99_ms", out.p99_ms)
      .set("max_ms", ms(latency.max_ns()))
      .set("arrival_p50_ms", ms(arrival.percentile_ns(0.50)))
      .set("arrival_p99_ms", ms(arrival.percentile_ns(0.99)))
      .set("arrival_max_ms", ms(arrival.max_ns()))
      .set("arrival_stamped_share",
           deliveries ? static_cast<double>(run.ledger().stamped_deliveries()) / static_cast<double>(deliveries) : 0.0)
      .set("drain_ms", ms(end - typed_end))
      .set("generator_cpu_share", cpu_share)
      .set("generator_wait_share", typed->generator_wait_seconds / std::max(typed->seconds, 1e-9))
      .set("generator_saturated", out.generator_saturated);
  if (probe.enabled()) {
    const double cpu = after->cpu_seconds - before->cpu_seconds;
    out.server_cpu_us_per_delivery = deliveries ? cpu * 1e6 / static_cast<double>(deliveries) : 0;
    m.set("server_cpu_s", cpu)
        .set("server_cpu_share", cpu / window_s)
        .set("server_wait_share", (after->wait_seconds - before->wait_seconds) / window_s)
        .set("server_cpu_us_per_delivered_edit", out.server_cpu_us_per_delivery)
        .set("server_rss_bytes", after->rss_bytes);
  }
  m.set("converged", out.converged).set("lost_edits", out.lost_edits);
  if (!conv.first_difference.empty()) m.set("difference", conv.first_difference);
  return out;
}

}  // namespace tandem::load
