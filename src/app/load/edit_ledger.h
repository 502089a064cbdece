// EditLedger: when each typed edit was sent, keyed by (author client id, clock range), so
// that a receiver integrating an update can tell which edits just arrived and how long they
// took from send to the arrival of their bytes on the receiver's socket, and to their
// integration (all clients live in one process: one steady clock). It also counts the
// deliveries and the edits a receiver never got. Not thread-safe: owned by the load run's
// thread.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "app/load/latency_histogram.h"
#include "crdt/id.h"

namespace tandem::load {

class EditLedger {
 public:
  //! Records that `author` sent the edit covering clocks [start, end) at `sent_ns`.
  //! REQUIRES: an author's edits are recorded in clock order.
  void record_sent(crdt::ClientId author, crdt::Clock start, crdt::Clock end, int64_t sent_ns);

  //! A receiver's clock for `author` went from `before` to `after` at `now_ns`, integrating
  //! a message that arrived at `arrived_ns` (the kernel's stamp; without one, the arrival counts
  //! as `now_ns`): every edit of the author whose range ended in (before, after] was
  //! delivered. Records each latency in both histograms and counts the delivery. Returns how
  //! many edits were delivered.
  uint64_t on_integrated(crdt::ClientId author, crdt::Clock before, crdt::Clock after,
                         std::optional<int64_t> arrived_ns, int64_t now_ns);

  //! Edits of `author` a receiver whose clock for it is `clock` has not integrated.
  uint64_t missing(crdt::ClientId author, crdt::Clock clock) const;
  //! Edits `author` has sent so far.
  uint64_t sent(crdt::ClientId author) const;

  //! Send to integration by the receiver.
  LatencyHistogram& latency() { return latency_; }
  //! Send to arrival on the receiver's socket.
  LatencyHistogram& arrival_latency() { return arrival_latency_; }
  uint64_t deliveries() const { return deliveries_; }
  //! Of those, the ones whose arrival the kernel stamped.
  uint64_t stamped_deliveries() const { return stamped_deliveries_; }
  //! Starts a new measurement window: empties the histogram and the delivery count (the
  //! edits sent so far stay known, so late deliveries are still matched).
  void reset_window();

 private:
  struct Entry {
    crdt::Clock end;
    int64_t sent_ns;
  };
  std::unordered_map<crdt::ClientId, std::vector<Entry>> edits_;
  LatencyHistogram latency_;
  LatencyHistogram arrival_latency_;
  uint64_t deliveries_ = 0;
  uint64_t stamped_deliveries_ = 0;
};

}  // namespace tandem::load
