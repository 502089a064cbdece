#include "app/load/edit_ledger.h"

#include <algorithm>

namespace tandem::load {

namespace {

// Orders entries by their end clock: lower_bound(…, c, ByEnd{}) is the first entry ending after c.
struct ByEnd {
  template <class E>
  bool operator()(const E& e, crdt::Clock clock) const { return e.end <= clock; }
};

}  // namespace

void EditLedger::record_sent(crdt::ClientId author, crdt::Clock, crdt::Clock end, int64_t sent_ns) {
  edits_[author].push_back({end, sent_ns});
}

uint64_t EditLedger::on_integrated(crdt::ClientId author, crdt::Clock before, crdt::Clock after,
                                   std::optional<int64_t> arrived_ns, int64_t now_ns) {
  const auto it = edits_.find(author);
  if (it == edits_.end() || after <= before) return 0;
  const auto& list = it->second;
  // First edit ending after `before`, then every edit ending at or before `after`.
  auto e = std::lower_bound(list.begin(), list.end(), before, ByEnd{});
  uint64_t n = 0;
  for (; e != list.end() && e->end <= after; ++e, ++n) {
    latency_.record(now_ns - e->sent_ns);
    arrival_latency_.record(arrived_ns.value_or(now_ns) - e->sent_ns);
  }
  deliveries_ += n;
  if (arrived_ns) stamped_deliveries_ += n;
  return n;
}

uint64_t EditLedger::missing(crdt::ClientId author, crdt::Clock clock) const {
  const auto it = edits_.find(author);
  if (it == edits_.end()) return 0;
  const auto& list = it->second;
  const auto e = std::lower_bound(list.begin(), list.end(), clock, ByEnd{});
  return static_cast<uint64_t>(list.end() - e);
}

uint64_t EditLedger::sent(crdt::ClientId author) const {
  const auto it = edits_.find(author);
  return it == edits_.end() ? 0 : it->second.size();
}

void EditLedger::reset_window() {
  latency_.reset();
  arrival_latency_.reset();
  deliveries_ = 0;
  stamped_deliveries_ = 0;
}

}  // namespace tandem::load
