// Scenario e: a fresh client's full sync of a large document. One writer builds a
// 100k-character document from 20k small edits (5-letter words at random places, each its
// own update message) and stays connected so the server keeps the document; once a probe
// client has received all of it, fresh clients join — one at a time, then 20 at once — and
// each one's time from connect to having the server's sync step 2 is measured; then one at a
// time again with one word typed before each (e-edited), so that no server can answer with a
// reply it encoded for an earlier client of the unchanged document. Their sync
// messages are integrated (and checked) after all of a round have arrived, so that on the
// generator's one thread no client waits for another's integration.
#include <algorithm>

#include "app/load/load_clock.h"
#include "app/load/scenario_steps.h"

namespace tandem::load {

namespace {

constexpr size_t kEdits = 20000;
constexpr uint32_t kWordLength = 5;
//! Edits sent before waiting for the socket to take them (bounds the writer's queue).
constexpr size_t kEditBatch = 100;
constexpr size_t kMaxQueuedWhileBuilding = 256 * 1024;
constexpr int kAloneRounds = 5;
constexpr size_t kCrowd = 20;
constexpr int kCrowdRounds = 3;
constexpr double kTimeoutS = 120;
//! Idle time between building the document and the first fresh client, so that work a server
//! defers (garbage collection, debounced hooks) is not billed to the syncs.
constexpr double kSettleS = 3;

double ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

//! Builds the document through `writer`; returns an error if the server did not take it.
Status build(LoadRun& run, Typist& writer, size_t edits) {
  for (size_t done = 0; done < edits;) {
    for (size_t i = 0; i < kEditBatch && done < edits; ++i, ++done) {
      if (Status st = writer.insert_word(kWordLength); !st) return st;
    }
    if (!run.run_until([&] { return writer.client().queued_bytes() < kMaxQueuedWhileBuilding; }, kTimeoutS)) {
      return Status::Error("the server stopped reading the writer's edits");
    }
    if (Status st = run.failure_status(); !st) return st;
  }
  return Status::Ok();
}

//! Connects `clients` fresh clients at once; returns each one's time to synced (ms) after
//! checking that each got the writer's text.
Result<std::vector<double>> fresh_round(LoadRun& run, size_t group, size_t clients, const std::string& expected) {
  std::vector<std::shared_ptr<LoadClient>> fresh;
  for (size_t i = 0; i < clients; ++i) {
    fresh.push_back(run.add_client(group));
    fresh.back()->defer_initial_sync();
  }
  auto connected = run.connect(fresh, kTimeoutS);
  if (!connected) return connected.status();
  std::vector<double> times;
  for (auto& c : fresh) {
    times.push_back(ms(c->synced_ns() - c->started_ns()));
    if (Status st = c->finish_deferred_sync(); !st) return st;
    if (c->text() != expected) return Status::Error("a fresh client's text differs from the writer's");
    c->close();
  }
  run.run_until([&] { return std::all_of(fresh.begin(), fresh.end(), [](auto& c) { return c->finished(); }); }, 5);
  return times;
}

}  // namespace

Status run_full_sync(const ServerTarget& target, const ScenarioOptions& options, const Emit& emit) {
  ServerProbe probe(options.server_pid);
  LoadRun run(target, options.seed);
  if (Status st = run.init(); !st) return st;
  auto names = run.make_documents(1, "e");
  if (!names) return names.status();
  const size_t group = run.add_group(names->front(), 1, 1);
  if (auto c = run.connect(run.all_clients(), kTimeoutS); !c) return c.status();
  auto typists = run.typists();
  Typist& writer = typists.front();
  const int64_t build_start = now_ns();
  if (Status st = build(run, writer, options.edits.value_or(kEdits)); !st) return Status::Error("building: " + st.message());

  // The probe stays until it has everything the writer sent: then the server has it too.
  auto probe_client = run.add_client(group);
  if (auto c = run.connect({probe_client}, kTimeoutS); !c) return c.status();
  const uint64_t length = writer.client().text_length();
  if (!run.run_until([&] { return probe_client->text_length() == length; }, kTimeoutS)) {
    return Status::Error("the server did not deliver the whole document to a probe client");
  }
  const std::string expected = writer.client().text();
  if (probe_client->text() != expected) return Status::Error("the probe client's text differs from the writer's");
  const double build_s = seconds_between(build_start, now_ns());
  run.run_for(kSettleS);

  std::vector<double> alone, edited, crowd;
  auto before = probe.sample();
  if (!before) return before.status();
  for (int r = 0; r < kAloneRounds; ++r) {
    auto t = fresh_round(run, group, 1, expected);
    if (!t) return t.status();
    alone.insert(alone.end(), t->begin(), t->end());
  }
  auto middle = probe.sample();
  if (!middle) return middle.status();
  for (int r = 0; r < kCrowdRounds; ++r) {
    auto t = fresh_round(run, group, kCrowd, expected);
    if (!t) return t.status();
    crowd.insert(crowd.end(), t->begin(), t->end());
  }
  auto after_crowd = probe.sample();
  if (!after_crowd) return after_crowd.status();
  // A document being edited: one word before each fresh client, so that a server cannot answer
  // with a reply it encoded for someone else (the probe has the word: the server committed it).
  for (int r = 0; r < kAloneRounds; ++r) {
    if (Status st = writer.insert_word(kWordLength); !st) return st;
    const uint64_t now_length = writer.client().text_length();
    if (!run.run_until([&] { return probe_client->text_length() == now_length; }, kTimeoutS)) {
      return Status::Error("the server did not deliver an edit to the probe client");
    }
    auto t = fresh_round(run, group, 1, writer.client().text());
    if (!t) return t.status();
    edited.insert(edited.end(), t->begin(), t->end());
  }
  auto after = probe.sample();
  if (!after) return after.status();
  if (Status st = run.failure_status(); !st) return st;

  Measurement m1 = start_measurement("e-alone", target, options);
  m1.set("doc_chars", length).set("build_s", build_s).set("syncs", static_cast<uint64_t>(alone.size()))
      .set("p50_ms", percentile(alone, 0.5)).set("max_ms", percentile(alone, 1.0));
  Measurement m2 = start_measurement("e-20", target, options);
  m2.set("doc_chars", length).set("syncs", static_cast<uint64_t>(crowd.size()))
      .set("p50_ms", percentile(crowd, 0.5)).set("p99_ms", percentile(crowd, 0.99)).set("max_ms", percentile(crowd, 1.0));
  Measurement m3 = start_measurement("e-edited", target, options);
  m3.set("doc_chars", length).set("syncs", static_cast<uint64_t>(edited.size()))
      .set("p50_ms", percentile(edited, 0.5)).set("max_ms", percentile(edited, 1.0));
  if (probe.enabled()) {
    m1.set("server_cpu_ms_per_sync", (middle->cpu_seconds - before->cpu_seconds) * 1e3 / static_cast<double>(alone.size()));
    m2.set("server_cpu_ms_per_sync", (after_crowd->cpu_seconds - middle->cpu_seconds) * 1e3 / static_cast<double>(crowd.size()));
    m3.set("server_cpu_ms_per_sync", (after->cpu_seconds - after_crowd->cpu_seconds) * 1e3 / static_cast<double>(edited.size()));
  }
  m1.set("converged", true);
  m2.set("converged", true);
  m3.set("converged", true);
  emit(m1);
  emit(m3);
  emit(m2);
  run.close_all(5);
  return Status::Ok();
}

}  // namespace tandem::load
