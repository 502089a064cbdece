// tandem_trace_bench: Tandem's side of the editing-trace benchmark (bench/README.md). One
// workload per process, printed as one JSON line in the shape bench/js/trace_bench.mjs prints,
// so bench/run_trace_bench.sh can set it beside Yjs and ywasm measured in the same run.
// Traces: ../shared/traces (CC BY 4.0, see its PROVENANCE.md).
#include <malloc.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <iostream>

#include "common/file_util.h"
#include "crdt/doc.h"
#include "crdt/js_json.h"
#include "crdt/text.h"
#include "editing_trace.h"

namespace {

using namespace tandem;
using namespace tandem::crdt;

double cpu_ms() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

struct Timing {
  double ms = 0, cpu = 0;
};

Timing time_once(const std::function<void()>& fn) {
  double c0 = cpu_ms();
  auto t0 = std::chrono::steady_clock::now();
  fn();
  auto t1 = std::chrono::steady_clock::now();
  return {std::chrono::duration<double, std::milli>(t1 - t0).count(), cpu_ms() - c0};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<uint8_t> must_read(const std::string& path) {
  auto r = read_file(path);
  if (!r) {
    std::cerr << r.error() << "\n";
    std::exit(2);
  }
  return std::move(r.value());
}

// Bytes the allocator hands out: from its arenas, and in chunks of their own (mmap).
size_t allocated_bytes() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

struct Options {
  std::string impl = "tandem", trace, workload, dataset, traces;
  int warmup = 5, iters = 5;
  int passes = 1;  // local/remote: passes on fresh documents; the fastest is reported
};

void print(const Options& o, AnyObject extra) {
  AnyObject out{{"impl", Any::String(o.impl)},
                {"trace", Any::String(o.trace)},
                {"workload", Any::String(o.workload)}};
  if (!o.dataset.empty()) out.emplace_back("dataset", Any::String(o.dataset));
  for (auto& e : extra) out.push_back(std::move(e));
  std::cout << js_stringify(Any::Object(std::move(out))) << "\n";
}

Any num(double d) { return Any::Number(std::round(d * 1000) / 1000); }

// Runs `once` warmup + iters times on fresh state; reports the median of the timed runs.
void repeated(const Options& o, const std::function<bool(Timing&, AnyObject&)>& once) {
  std::vector<double> ms, cpu;
  double cold = 0;
  bool ok = true;
  AnyObject extra;
  for (int i = 0; i < o.warmup + o.iters; ++i) {
    Timing t;
    extra.clear();
    ok = once(t, extra) && ok;
    if (i == 0) cold = t.ms;
    if (i >= o.warmup) {
      ms.push_back(t.ms);
      cpu.push_back(t.cpu);
    }
  }
  extra.emplace_back("ms", num(median(ms)));
  extra.emplace_back("cpuMs", num(median(cpu)));
  extra.emplace_back("coldMs", num(cold));
  extra.emplace_back("ok", Any::Bool(ok));
  print(o, std::move(extra));
}

int run(const Options& o) {
  const std::string derived = o.traces + "/derived-yjs/";
  if (o.workload == "egwalker") {
    auto v2 = must_read(o.traces + "/egwalker-paper/datasets/" + o.dataset + ".yjs.gz");
    auto v1 = must_read(derived + "egwalker-" + o.dataset + ".state.v1.bin.gz");
    Doc ref;
    (void)ref.apply_update(v1);
    std::string expected = text_to_string(ref.get("text", TypeKind::Text));
    repeated(o, [&](Timing& t, AnyObject& extra) {
      std::string text;
      std::unique_ptr<Doc> doc;  // destroyed after the timed region, as the JS harness frees it
      t = time_once([&] {
        doc = std::make_unique<Doc>();
        (void)doc->apply_update(v2, UpdateVersion::V2);
        text = text_to_string(doc->get("text", TypeKind::Text));
      });
      doc.reset();
      extra.emplace_back("chars", num(static_cast<double>(utf16_length(text))));
      return text == expected;
    });
    return 0;
  }
  auto trace = traces::load_sequential_trace(o.traces, o.trace);
  if (!trace) {
    std::cerr << trace.error() << "\n";
    return 2;
  }
  auto stream = must_read(derived + o.trace + ".updates.v1.bin.gz");
  auto frames = split_update_stream(stream);
  auto state = must_read(derived + o.trace + ".state.v1.bin.gz");
  // Loading the trace's JSON left the heap strewn with freed small blocks; hand them back
  // so that the timed work does not pay for consolidating the harness's garbage.
  malloc_trim(0);
  if (o.workload == "local") {
    Doc doc(DocOptions{.client_id = 1});
    Type* text = doc.get("text", TypeKind::Text);
    Timing t = time_once([&] {
      for (const auto& txn : trace->txns) {
        // edit(), not transact(): like Yjs's doc.transact with no update listener, it does
        // not encode each transaction's update.
        doc.edit([&](Transaction& tr) {
          for (const auto& p : txn.patches) {
            if (p.del) (void)text_delete(tr, text, p.pos, p.del);
            if (!p.ins.empty()) (void)text_insert(tr, text, p.pos, p.ins);
          }
        });
      }
    });
    print(o, {{"ms", num(t.ms)}, {"cpuMs", num(t.cpu)},
              {"ok", Any::Bool(text_to_string(text) == trace->end_content)},
              {"edits", num(static_cast<double>(trace->patch_count()))}});
  } else if (o.workload == "remote") {
    Timing best;
    bool ok = true;
    for (int pass = 0; pass < o.passes; ++pass) {
      Doc doc(DocOptions{.client_id = 2});
      Type* text = doc.get("text", TypeKind::Text);
      Timing t = time_once([&] {
        for (auto u : *frames) (void)doc.apply_update(u);
      });
      ok = ok && text_to_string(text) == trace->end_content;
      if (pass == 0 || t.ms < best.ms) best = t;
    }
    print(o, {{"ms", num(best.ms)}, {"cpuMs", num(best.cpu)}, {"ok", Any::Bool(ok)},
              {"updates", num(static_cast<double>(frames->size()))}});
  } else if (o.workload == "encode") {
    Doc doc(DocOptions{.client_id = 2});
    for (auto u : *frames) (void)doc.apply_update(u);
    repeated(o, [&](Timing& t, AnyObject& extra) {
      std::vector<uint8_t> enc;
      t = time_once([&] { enc = doc.encode_state_as_update(); });
      extra.emplace_back("bytes", num(static_cast<double>(enc.size())));
      extra.emplace_back("sameBytesAsYjs", Any::Bool(enc == state));
      return enc == state;
    });
  } else if (o.workload == "load") {
    repeated(o, [&](Timing& t, AnyObject& extra) {
      std::string text;
      std::unique_ptr<Doc> doc;  // destroyed after the timed region, as the JS harness frees it
      t = time_once([&] {
        doc = std::make_unique<Doc>();
        (void)doc->apply_update(state);
        text = text_to_string(doc->get("text", TypeKind::Text));
      });
      doc.reset();
      extra.emplace_back("bytes", num(static_cast<double>(state.size())));
      return text == trace->end_content;
    });
  } else if (o.workload == "memory") {
    malloc_trim(0);
    size_t before = allocated_bytes();
    auto doc = std::make_unique<Doc>();
    Timing t = time_once([&] { (void)doc->apply_update(state); });
    bool ok = text_to_string(doc->get("text", TypeKind::Text)) == trace->end_content;
    malloc_trim(0);
    size_t after = allocated_bytes();
    print(o, {{"ms", num(t.ms)}, {"cpuMs", num(t.cpu)}, {"ok", Any::Bool(ok)},
              {"memBytes", num(static_cast<double>(after - before))},
              {"memWhat", Any::String("glibc mallinfo2 uordblks + hblkhd growth while the loaded doc is alive")}});
  } else {
    std::cerr << "unknown workload " << o.workload << "\n";
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.traces = tandem::traces::traces_dir();
  CLI::App app{"Tandem's editing-trace benchmark (see bench/README.md)"};
  app.add_option("--impl", o.impl);
  app.add_option("--trace", o.trace)->required();
  app.add_option("--workload", o.workload)->required();
  app.add_option("--dataset", o.dataset);
  app.add_option("--traces", o.traces);
  app.add_option("--warmup", o.warmup);
  app.add_option("--iters", o.iters);
  app.add_option("--passes", o.passes,
                 "remote: passes over the trace, each on a fresh document; prints the fastest "
                 "(for comparing builds; the reported benchmark uses one cold pass)");
  CLI11_PARSE(app, argc, argv);
  return run(o);
}
