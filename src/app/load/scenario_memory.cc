// Scenario d: memory per idle connection and per loaded idle document. First one client
// per document, each typing a few characters so every document is loaded and non-empty;
// then the remaining clients join. With the server's RSS before (r0), after the first wave
// (r1) and after the second (r2):
//   per connection = (r2 - r1) / connections of the second wave
//   per document   = (r1 - r0 - first-wave connections x per connection) / documents
// Before r0 a few warm-up documents go through the same steps, so that what a server pays
// once (its code paged in, its caches and allocator arenas filled) is not charged to the
// measured documents: those costs do not grow with the number of documents.
#include "app/load/load_clock.h"
#include "app/load/scenario_steps.h"

namespace tandem::load {

namespace {

constexpr size_t kDocs = 1000;
constexpr size_t kConnections = 5000;
//! Characters each document's first client types (a small document).
constexpr double kWarmEdits = 20;
//! How long the server is left idle before its RSS is read (lets deferred work settle).
constexpr double kSettleS = 3;
constexpr double kConnectTimeoutS = 300;
//! Documents taken through the scenario's steps before r0 (5% of the measured ones).
constexpr size_t kWarmupDocs = 50;

Result<uint64_t> settled_rss(LoadRun& run, const ServerProbe& probe) {
  run.run_for(kSettleS);
  auto s = probe.sample();
  if (!s) return s.status();
  return s->rss_bytes;
}

//! The scenario's two waves on the documents of groups [first, last), one typist each.
class Waves {
 public:
  Waves(LoadRun& run, std::vector<Typist>& typists, size_t first, size_t last, size_t clients_per_doc)
      : run_(run), typists_(typists), first_(first), last_(last), clients_per_doc_(clients_per_doc) {}

  //! Each document's typist connects and types kWarmEdits characters.
  Result<ConnectResult> first_wave() {
    std::vector<std::shared_ptr<LoadClient>> clients;
    std::vector<Typist> typists;
    for (size_t g = first_; g < last_; ++g) {
      clients.push_back(run_.groups()[g].clients.front());
      typists.push_back(typists_[g]);
    }
    auto connected = run_.connect(clients, kConnectTimeoutS);
    if (!connected) return connected;
    if (auto typed = run_.type(typists, kWarmEdits, 1.0); !typed) return typed.status();
    return connected;
  }
  //! The rest of each document's clients join.
  Result<ConnectResult> second_wave() {
    std::vector<std::shared_ptr<LoadClient>> clients;
    for (size_t g = first_; g < last_; ++g) {
      for (size_t i = 1; i < clients_per_doc_; ++i) clients.push_back(run_.add_client(g));
    }
    return run_.connect(clients, kConnectTimeoutS);
  }

 private:
  LoadRun& run_;
  std::vector<Typist>& typists_;  // one per group, in group order
  const size_t first_, last_, clients_per_doc_;
};

}  // namespace

Status run_idle_memory(const ServerTarget& target, const ScenarioOptions& options, const Emit& emit) {
  const size_t docs = options.docs.value_or(kDocs);
  const size_t per_doc = options.clients.value_or(kConnections / kDocs);
  const size_t warmup = options.warmup_docs.value_or(kWarmupDocs);
  if (docs == 0 || per_doc < 2) return Status::Error("needs docs >= 1 and clients >= 2 per document");
  if (Status st = ensure_fd_limit((warmup + docs) * per_doc + 256); !st) return st;
  ServerProbe probe(options.server_pid);
  LoadRun run(target, options.seed);
  if (Status st = run.init(); !st) return st;
  auto warm_names = run.make_documents(warmup, "dw");
  if (!warm_names) return warm_names.status();
  auto names = run.make_documents(docs, "d");
  if (!names) return names.status();
  for (const auto& name : *warm_names) run.add_group(name, 1, 1);
  for (const auto& name : *names) run.add_group(name, 1, 1);
  auto typists = run.typists();
  Waves warm(run, typists, 0, warmup, per_doc);
  Waves measured(run, typists, warmup, warmup + docs, per_doc);

  if (warmup > 0) {
    if (auto w = warm.first_wave(); !w) return w.status();
    run.run_for(kSettleS);
    if (auto w = warm.second_wave(); !w) return w.status();
  }
  auto r0 = settled_rss(run, probe);
  if (!r0) return r0.status();
  auto first = measured.first_wave();
  if (!first) return first.status();
  auto r1 = settled_rss(run, probe);
  if (!r1) return r1.status();
  auto second = measured.second_wave();
  if (!second) return second.status();
  auto r2 = settled_rss(run, probe);
  if (!r2) return r2.status();
  const Convergence conv = run.check();
  if (Status st = run.failure_status(); !st) return st;

  Measurement m = start_measurement("d", target, options);
  const double per_connection =
      (static_cast<double>(*r2) - static_cast<double>(*r1)) / static_cast<double>(second->connections);
  const double per_document =
      (static_cast<double>(*r1) - static_cast<double>(*r0) - static_cast<double>(docs) * per_connection) /
      static_cast<double>(docs);
  m.set("docs", static_cast<uint64_t>(docs))
      .set("warmup_docs", static_cast<uint64_t>(warmup))
      .set("connections", static_cast<uint64_t>(docs * per_doc))
      .set("connections_per_s", second->per_second())
      .set("doc_chars", static_cast<uint64_t>(run.groups().front().clients.front()->text_length()));
  if (probe.enabled()) {
    m.set("rss_before_bytes", *r0)
        .set("rss_docs_loaded_bytes", *r1)
        .set("rss_all_connected_bytes", *r2)
        .set("bytes_per_idle_connection", per_connection)
        .set("bytes_per_idle_document", per_document);
  }
  m.set("converged", conv.converged).set("lost_edits", conv.lost_edits);
  emit(m);
  run.close_all(10);
  return Status::Ok();
}

}  // namespace tandem::load
