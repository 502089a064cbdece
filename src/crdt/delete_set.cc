#include "crdt/delete_set.h"

#include <algorithm>

namespace tandem::crdt {

void DeleteSet::sort_and_merge() {
  auto by_clock = [](const DeleteRange& a, const DeleteRange& b) { return a.clock < b.clock; };
  for (auto& [client, dels] : clients_) {
    // A transaction adds its deletes mostly in clock order: a load adds the deleted items it
    // integrates, then the deletes of its delete set — two ascending runs, merged in linear
    // time. (Ranges with equal clocks merge to the same result in any order.)
    auto run_end = std::is_sorted_until(dels.begin(), dels.end(), by_clock);
    if (run_end != dels.end()) {
      if (std::is_sorted(run_end, dels.end(), by_clock)) {
        std::inplace_merge(dels.begin(), run_end, dels.end(), by_clock);
      } else {
        std::sort(dels.begin(), dels.end(), by_clock);
      }
    }
    size_t j = 1;
    for (size_t i = 1; i < dels.size(); ++i) {
      DeleteRange& left = dels[j - 1];
      const DeleteRange& right = dels[i];
      if (left.clock + left.len >= right.clock) {
        left.len = std::max(left.len, right.clock + right.len - left.clock);
      } else {
        if (j < i) dels[j] = right;
        ++j;
      }
    }
    if (!dels.empty()) dels.resize(j);
  }
}

namespace {
//! The range of `dels` (sorted and merged) starting at or before `clock`, or nullptr.
const DeleteRange* range_from(const std::vector<DeleteRange>& dels, Clock clock) {
  auto r = std::upper_bound(dels.begin(), dels.end(), clock,
                            [](Clock c, const DeleteRange& d) { return c < d.clock; });
  return r == dels.begin() ? nullptr : &*std::prev(r);
}
}  // namespace

bool DeleteSet::contains(ID id) const {
  auto it = clients_.find(id.client);
  if (it == clients_.end()) return false;
  const DeleteRange* r = range_from(it->second, id.clock);
  return r != nullptr && id.clock < r->end();
}

bool DeleteSet::covers(ClientId client, const DeleteRange& range) const {
  if (range.len == 0) return true;
  auto it = clients_.find(client);
  if (it == clients_.end()) return false;
  const DeleteRange* r = range_from(it->second, range.clock);
  return r != nullptr && range.end() <= r->end();
}

void DeleteSet::write(UpdateEncoder& enc) const {
  enc.rest().write_var_uint(clients_.size());
  for (const auto& [client, dels] : clients_) {
    enc.reset_ds_cur_val();
    enc.rest().write_var_uint(client);
    enc.rest().write_var_uint(dels.size());
    for (const auto& d : dels) {
      enc.write_ds_clock(d.clock);
      enc.write_ds_len(d.len);
    }
  }
}

DeleteSet DeleteSet::read(UpdateDecoder& dec) {
  DeleteSet ds;
  uint64_t num_clients = dec.rest().read_var_uint();
  if (num_clients > dec.rest().remaining()) dec.rest().fail("implausible delete-set client count");
  for (uint64_t i = 0; i < num_clients; ++i) {
    dec.reset_ds_cur_val();
    ClientId client = dec.rest().read_var_uint();
    uint64_t n = dec.rest().read_var_uint();
    if (n == 0) continue;
    auto& dels = ds.clients_[client];
    for (uint64_t k = 0; k < n; ++k) {
      Clock clock = dec.read_ds_clock();
      uint64_t len = dec.read_ds_len();
      if (clock > kMaxSafeInteger || len > kMaxSafeInteger - clock) {
        dec.rest().fail("delete-set range out of range");
      }
      dels.push_back({clock, len});
    }
  }
  return ds;
}

DeleteSet DeleteSet::merge(const std::vector<const DeleteSet*>& sets) {
  DeleteSet merged;
  for (const DeleteSet* s : sets) {
    for (const auto& [client, dels] : s->clients_) {
      auto& out = merged.clients_[client];
      out.insert(out.end(), dels.begin(), dels.end());
    }
  }
  merged.sort_and_merge();
  return merged;
}

void write_state_vector(Encoder& enc, const StateVector& sv) {
  enc.write_var_uint(sv.size());
  for (auto it = sv.rbegin(); it != sv.rend(); ++it) {
    enc.write_var_uint(it->first);
    enc.write_var_uint(it->second);
  }
}

std::vector<uint8_t> encode_state_vector(const StateVector& sv) {
  Encoder enc;
  write_state_vector(enc, sv);
  return enc.take();
}

StateVector read_state_vector(Decoder& dec) {
  StateVector sv;
  uint64_t n = dec.read_var_uint();
  if (n > dec.remaining()) dec.fail("implausible state-vector length");
  for (uint64_t i = 0; i < n; ++i) {
    ClientId client = dec.read_var_uint();
    sv[client] = dec.read_var_uint();
  }
  return sv;
}

}  // namespace tandem::crdt
