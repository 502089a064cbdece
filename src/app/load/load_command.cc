#include "app/load/load_command.h"

#include <boost/url/parse.hpp>
#include <iostream>

#include "app/load/load_clock.h"
#include "app/load/scenarios.h"

namespace tandem::load {

namespace {

//! ws://HOST:PORT/PATH → the target (documents at PATH/<name>).
Result<ServerTarget> parse_target(const LoadArgs& args) {
  auto url = boost::urls::parse_uri(args.url);
  if (!url) return Status::Error("--url \"" + args.url + "\": " + url.error().message());
  if (url->scheme() != "ws") return Status::Error("--url \"" + args.url + "\": only ws:// is supported");
  ServerTarget t;
  t.host = std::string(url->host());
  t.port = url->has_port() ? std::string(url->port()) : "80";
  t.base_path = std::string(url->path());
  while (!t.base_path.empty() && t.base_path.back() == '/') t.base_path.pop_back();
  if (t.host.empty()) return Status::Error("--url \"" + args.url + "\": no host");
  auto dialect = parse_dialect(args.dialect);
  if (!dialect) return dialect.status();
  t.dialect = *dialect;
  t.create_docs = args.create_docs;
  return t;
}

template <class T>
std::optional<T> given(T v) {
  return v > 0 ? std::optional<T>(v) : std::nullopt;
}

}  // namespace

CLI::App* add_load_command(CLI::App& app, LoadArgs& a) {
  auto* load = app.add_subcommand("load", "generate collaborative-editing load against a server and measure it");
  load->add_option("--url", a.url, "server base URL; a document's socket is URL/<doc>")->capture_default_str();
  load->add_option("--dialect", a.dialect, "yws (tandemd, y-websocket-server) or hocuspocus")
      ->check(CLI::IsMember({"yws", "hocuspocus"}))
      ->capture_default_str();
  load->add_option("--scenario", a.scenario, "a, b, c-hot, c-docs, c, d, e or all")
      ->check(CLI::IsMember(scenario_names()))
      ->capture_default_str();
  load->add_option("--duration", a.duration_s, "seconds of typing (a, b) or per ramp step (c)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  load->add_option("--rate", a.rate, "edits/s per typist (a, b) or the ramp's first total rate (c)")
      ->check(CLI::PositiveNumber);
  load->add_option("--server-pid", a.server_pid, "the server's pid, for its CPU time and RSS from /proc");
  load->add_flag("--json", a.json, "one JSON object per line per measurement");
  load->add_flag("--create-docs", a.create_docs, "create documents with POST /api/docs first (tandemd)");
  load->add_option("--quiet", a.quiet_s, "longest wait (s) for every edit to arrive after typing")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  load->add_option("--label", a.label, "server name copied into each measurement");
  load->add_option("--docs", a.docs, "override the scenario's number of documents");
  load->add_option("--clients", a.clients, "override the scenario's clients per document");
  load->add_option("--typists", a.typists, "override the scenario's typists per document");
  load->add_option("--edits", a.edits, "override the number of edits that build scenario e's document");
  load->add_option("--warmup-docs", a.warmup_docs,
                   "documents scenario d takes through its steps before its first reading (default 50)");
  load->add_option("--seed", a.seed, "random seed (default: from the clock)");
  return load;
}

int run_load(const LoadArgs& args) {
  auto target = parse_target(args);
  if (!target) {
    std::cerr << "tandem load: " << target.error() << "\n";
    return 2;
  }
  ScenarioOptions o;
  o.duration_s = args.duration_s;
  o.rate = given(args.rate);
  o.server_pid = args.server_pid;
  o.quiet_s = args.quiet_s;
  o.label = args.label;
  o.docs = given(args.docs);
  o.clients = given(args.clients);
  o.typists = given(args.typists);
  o.edits = given(args.edits);
  o.warmup_docs = args.warmup_docs;
  o.seed = args.seed ? args.seed : static_cast<uint64_t>(now_ns());
  Status st = run_scenario(args.scenario, *target, o, [&](const Measurement& m) {
    m.print(std::cout, args.json);
    std::cout.flush();
  });
  if (!st) {
    std::cerr << "tandem load: " << st.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace tandem::load
