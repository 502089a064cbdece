// Operations on encoded updates without a document: a port of yjs src/utils/updates.js
// (13.6.33), function for function, so that every output is byte-identical to yjs's.
//
// Structure, as in yjs:
//   LazyStructReader   yields the structs of an update in order (optionally without Skips).
//                      We read the struct section eagerly with read_struct_section; the
//                      sequence of structs is the same, only memory use differs.
//   LazyStructWriter   writes structs client section by client section; the struct count of
//                      a section is only known at its end, so the rest stream is cut into one
//                      fragment per section and assembled in finish().
//   merge / diff / state vector / meta / convert: as mergeUpdatesV2, diffUpdateV2,
//                      encodeStateVectorFromUpdateV2, parseUpdateMetaV2, convertUpdateFormat.
//
// mergeUpdatesV2 re-sorts its readers with Array.prototype.sort before every step, with a
// comparator that is inconsistent when a GC and an Item start at the same id (it calls each
// smaller than the other). The order V8 then produces depends on its TimSort's exact sequence
// of comparisons, and it decides which of the two structs is written. V8TimSort below
// reproduces that sort step for step; while no such tie exists the comparator is a consistent
// order and the readers are kept sorted incrementally (what any stable sort would produce).
#include "crdt/update_ops.h"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "crdt/lib0_encoding.h"
#include "crdt/struct_ref.h"

namespace tandem::crdt {

namespace {

//! An update that cannot be written in the requested format (yjs throws or writes garbage).
class UnencodableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// V8's Array.prototype.sort (TimSort, v8 third_party/v8/builtins/array-sort.tq as in Node 20 /
// V8 11.3), comparison for comparison: run detection with reversal of strictly descending runs,
// binary insertion up to the minimum run length, merge_collapse, and merges with galloping.
// Checked against node on random arrays under yjs's inconsistent comparator.
template <class T, class Cmp>
class V8TimSort {
 public:
  V8TimSort(std::vector<T>& a, Cmp cmp) : a_(a), cmp_(cmp) {}

  void sort() {
    const ptrdiff_t length = static_cast<ptrdiff_t>(a_.size());
    if (length < 2) return;
    ptrdiff_t remaining = length;
    ptrdiff_t low = 0;
    const ptrdiff_t min_run = compute_min_run_length(remaining);
    while (remaining != 0) {
      ptrdiff_t run = count_and_make_run(low, low + remaining);
      if (run < min_run) {
        const ptrdiff_t forced = std::min(min_run, remaining);
        binary_insertion_sort(low, low + run, low + forced);
        run = forced;
      }
      runs_.push_back({low, run});
      merge_collapse();
      low += run;
      remaining -= run;
    }
    merge_force_collapse();
  }

 private:
  struct Run {
    ptrdiff_t base, length;
  };
  static constexpr ptrdiff_t kMinGallopWins = 7;

  int compare(const T& x, const T& y) { return cmp_(x, y); }

  static ptrdiff_t compute_min_run_length(ptrdiff_t n) {
    ptrdiff_t r = 0;
    while (n >= 64) {
      r |= n & 1;
      n >>= 1;
    }
    return n + r;
  }

  void binary_insertion_sort(ptrdiff_t low, ptrdiff_t start_arg, ptrdiff_t high) {
    ptrdiff_t start = low == start_arg ? start_arg + 1 : start_arg;
    for (; start < high; ++start) {
      ptrdiff_t left = low, right = start;
      T pivot = a_[start];
      while (left < right) {
        const ptrdiff_t mid = left + ((right - left) >> 1);
        if (compare(pivot, a_[mid]) < 0) {
          right = mid;
        } else {
          left = mid + 1;
        }
      }
      for (ptrdiff_t p = start; p > left; --p) a_[p] = a_[p - 1];
      a_[left] = pivot;
    }
  }

  ptrdiff_t count_and_make_run(ptrdiff_t low_arg, ptrdiff_t high) {
    const ptrdiff_t low = low_arg + 1;
    if (low == high) return 1;
    ptrdiff_t run_length = 2;
    const bool descending = compare(a_[low], a_[low - 1]) < 0;
    ptrdiff_t prev = low;
    for (ptrdiff_t idx = low + 1; idx < high; ++idx) {
      const int order = compare(a_[idx], a_[prev]);
      if (descending ? order >= 0 : order < 0) break;
      prev = idx;
      ++run_length;
    }
    if (descending) std::reverse(a_.begin() + low_arg, a_.begin() + low_arg + run_length);
    return run_length;
  }

  // Copy with V8's overlap handling (back to front when src < dst).
  static void copy(const std::vector<T>& src, ptrdiff_t src_pos, std::vector<T>& dst,
                   ptrdiff_t dst_pos, ptrdiff_t length) {
    if (src_pos < dst_pos) {
      for (ptrdiff_t i = length - 1; i >= 0; --i) dst[dst_pos + i] = src[src_pos + i];
    } else {
      for (ptrdiff_t i = 0; i < length; ++i) dst[dst_pos + i] = src[src_pos + i];
    }
  }

  ptrdiff_t gallop_left(const std::vector<T>& array, const T& key, ptrdiff_t base, ptrdiff_t length,
                        ptrdiff_t hint) {
    ptrdiff_t last_ofs = 0, offset = 1;
    if (compare(array[base + hint], key) < 0) {
      const ptrdiff_t max_ofs = length - hint;
      while (offset < max_ofs) {
        if (compare(array[base + hint + offset], key) >= 0) break;
        last_ofs = offset;
        offset = (offset << 1) + 1;
      }
      if (offset > max_ofs) offset = max_ofs;
      last_ofs += hint;
      offset += hint;
    } else {
      const ptrdiff_t max_ofs = hint + 1;
      while (offset < max_ofs) {
        if (compare(array[base + hint - offset], key) < 0) break;
        last_ofs = offset;
        offset = (offset << 1) + 1;
      }
      if (offset > max_ofs) offset = max_ofs;
      const ptrdiff_t tmp = last_ofs;
      last_ofs = hint - offset;
      offset = hint - tmp;
    }
    ++last_ofs;
    while (last_ofs < offset) {
      const ptrdiff_t m = last_ofs + ((offset - last_ofs) >> 1);
      if (compare(array[base + m], key) < 0) {
        last_ofs = m + 1;
      } else {
        offset = m;
      }
    }
    return offset;
  }

  ptrdiff_t gallop_right(const std::vector<T>& array, const T& key, ptrdiff_t base,
                         ptrdiff_t length, ptrdiff_t hint) {
    ptrdiff_t last_ofs = 0, offset = 1;
    if (compare(key, array[base + hint]) < 0) {
      const ptrdiff_t max_ofs = hint + 1;
      while (offset < max_ofs) {
        if (compare(key, array[base + hint - offset]) >= 0) break;
        last_ofs = offset;
        offset = (offset << 1) + 1;
      }
      if (offset > max_ofs) offset = max_ofs;
      const ptrdiff_t tmp = last_ofs;
      last_ofs = hint - offset;
      offset = hint - tmp;
    } else {
      const ptrdiff_t max_ofs = length - hint;
      while (offset < max_ofs) {
        if (compare(key, array[base + hint + offset]) < 0) break;
        last_ofs = offset;
        offset = (offset << 1) + 1;
      }
      if (offset > max_ofs) offset = max_ofs;
      last_ofs += hint;
      offset += hint;
    }
    ++last_ofs;
    while (last_ofs < offset) {
      const ptrdiff_t m = last_ofs + ((offset - last_ofs) >> 1);
      if (compare(key, array[base + m]) < 0) {
        offset = m;
      } else {
        last_ofs = m + 1;
      }
    }
    return offset;
  }

  void merge_at(size_t i) {
    ptrdiff_t base_a = runs_[i].base, length_a = runs_[i].length;
    const ptrdiff_t base_b = runs_[i + 1].base;
    ptrdiff_t length_b = runs_[i + 1].length;
    runs_[i].length = length_a + length_b;
    if (i + 3 == runs_.size()) runs_[i + 1] = runs_[i + 2];
    runs_.pop_back();

    const T key_right = a_[base_b];
    const ptrdiff_t k = gallop_right(a_, key_right, base_a, length_a, 0);
    base_a += k;
    length_a -= k;
    if (length_a == 0) return;
    const T key_left = a_[base_a + length_a - 1];
    length_b = gallop_left(a_, key_left, base_b, length_b, length_b - 1);
    if (length_b == 0) return;
    if (length_a <= length_b) {
      merge_low(base_a, length_a, base_b, length_b);
    } else {
      merge_high(base_a, length_a, base_b, length_b);
    }
  }

  void merge_low(ptrdiff_t base_a, ptrdiff_t length_a, ptrdiff_t base_b, ptrdiff_t length_b) {
    std::vector<T>& w = a_;
    tmp_.resize(std::max<size_t>(tmp_.size(), static_cast<size_t>(length_a)));
    copy(w, base_a, tmp_, 0, length_a);
    ptrdiff_t dest = base_a, cursor_temp = 0, cursor_b = base_b;
    w[dest++] = w[cursor_b++];
    enum { kLoop, kSucceed, kCopyB } outcome = kLoop;
    if (--length_b == 0) {
      outcome = kSucceed;
    } else if (length_a == 1) {
      outcome = kCopyB;
    }
    ptrdiff_t min_gallop = min_gallop_;
    while (outcome == kLoop) {
      ptrdiff_t wins_a = 0, wins_b = 0;
      while (true) {
        if (compare(w[cursor_b], tmp_[cursor_temp]) < 0) {
          w[dest++] = w[cursor_b++];
          ++wins_b;
          --length_b;
          wins_a = 0;
          if (length_b == 0) {
            outcome = kSucceed;
            break;
          }
          if (wins_b >= min_gallop) break;
        } else {
          w[dest++] = tmp_[cursor_temp++];
          ++wins_a;
          --length_a;
          wins_b = 0;
          if (length_a == 1) {
            outcome = kCopyB;
            break;
          }
          if (wins_a >= min_gallop) break;
        }
      }
      if (outcome != kLoop) break;
      ++min_gallop;
      bool first = true;
      while (wins_a >= kMinGallopWins || wins_b >= kMinGallopWins || first) {
        first = false;
        min_gallop = std::max<ptrdiff_t>(1, min_gallop - 1);
        min_gallop_ = min_gallop;
        wins_a = gallop_right(tmp_, w[cursor_b], cursor_temp, length_a, 0);
        if (wins_a > 0) {
          copy(tmp_, cursor_temp, w, dest, wins_a);
          dest += wins_a;
          cursor_temp += wins_a;
          length_a -= wins_a;
          if (length_a == 1) {
            outcome = kCopyB;
            break;
          }
          if (length_a == 0) {
            outcome = kSucceed;
            break;
          }
        }
        w[dest++] = w[cursor_b++];
        if (--length_b == 0) {
          outcome = kSucceed;
          break;
        }
        wins_b = gallop_left(w, tmp_[cursor_temp], cursor_b, length_b, 0);
        if (wins_b > 0) {
          copy(w, cursor_b, w, dest, wins_b);
          dest += wins_b;
          cursor_b += wins_b;
          length_b -= wins_b;
          if (length_b == 0) {
            outcome = kSucceed;
            break;
          }
        }
        w[dest++] = tmp_[cursor_temp++];
        if (--length_a == 1) {
          outcome = kCopyB;
          break;
        }
      }
      if (outcome != kLoop) break;
      ++min_gallop;
      min_gallop_ = min_gallop;
    }
    if (outcome == kSucceed) {
      if (length_a > 0) copy(tmp_, cursor_temp, w, dest, length_a);
    } else {
      copy(w, cursor_b, w, dest, length_b);
      w[dest + length_b] = tmp_[cursor_temp];
    }
  }

  void merge_high(ptrdiff_t base_a, ptrdiff_t length_a, ptrdiff_t base_b, ptrdiff_t length_b) {
    std::vector<T>& w = a_;
    tmp_.resize(std::max<size_t>(tmp_.size(), static_cast<size_t>(length_b)));
    copy(w, base_b, tmp_, 0, length_b);
    ptrdiff_t dest = base_b + length_b - 1, cursor_temp = length_b - 1,
              cursor_a = base_a + length_a - 1;
    w[dest--] = w[cursor_a--];
    enum { kLoop, kSucceed, kCopyA } outcome = kLoop;
    if (--length_a == 0) {
      outcome = kSucceed;
    } else if (length_b == 1) {
      outcome = kCopyA;
    }
    ptrdiff_t min_gallop = min_gallop_;
    while (outcome == kLoop) {
      ptrdiff_t wins_a = 0, wins_b = 0;
      while (true) {
        if (compare(tmp_[cursor_temp], w[cursor_a]) < 0) {
          w[dest--] = w[cursor_a--];
          ++wins_a;
          --length_a;
          wins_b = 0;
          if (length_a == 0) {
            outcome = kSucceed;
            break;
          }
          if (wins_a >= min_gallop) break;
        } else {
          w[dest--] = tmp_[cursor_temp--];
          ++wins_b;
          --length_b;
          wins_a = 0;
          if (length_b == 1) {
            outcome = kCopyA;
            break;
          }
          if (wins_b >= min_gallop) break;
        }
      }
      if (outcome != kLoop) break;
      ++min_gallop;
      bool first = true;
      while (wins_a >= kMinGallopWins || wins_b >= kMinGallopWins || first) {
        first = false;
        min_gallop = std::max<ptrdiff_t>(1, min_gallop - 1);
        min_gallop_ = min_gallop;
        ptrdiff_t k = gallop_right(w, tmp_[cursor_temp], base_a, length_a, length_a - 1);
        wins_a = length_a - k;
        if (wins_a > 0) {
          dest -= wins_a;
          cursor_a -= wins_a;
          copy(w, cursor_a + 1, w, dest + 1, wins_a);
          length_a -= wins_a;
          if (length_a == 0) {
            outcome = kSucceed;
            break;
          }
        }
        w[dest--] = tmp_[cursor_temp--];
        if (--length_b == 1) {
          outcome = kCopyA;
          break;
        }
        k = gallop_left(tmp_, w[cursor_a], 0, length_b, length_b - 1);
        wins_b = length_b - k;
        if (wins_b > 0) {
          dest -= wins_b;
          cursor_temp -= wins_b;
          copy(tmp_, cursor_temp + 1, w, dest + 1, wins_b);
          length_b -= wins_b;
          if (length_b == 1) {
            outcome = kCopyA;
            break;
          }
          if (length_b == 0) {
            outcome = kSucceed;
            break;
          }
        }
        w[dest--] = w[cursor_a--];
        if (--length_a == 0) {
          outcome = kSucceed;
          break;
        }
      }
      if (outcome != kLoop) break;
      ++min_gallop;
      min_gallop_ = min_gallop;
    }
    if (outcome == kSucceed) {
      if (length_b > 0) copy(tmp_, 0, w, dest - (length_b - 1), length_b);
    } else {
      dest -= length_a;
      cursor_a -= length_a;
      copy(w, cursor_a + 1, w, dest + 1, length_a);
      w[dest] = tmp_[cursor_temp];
    }
  }

  bool run_invariant_established(ptrdiff_t n) const {
    if (n < 2) return true;
    return runs_[n - 2].length > runs_[n - 1].length + runs_[n].length;
  }

  void merge_collapse() {
    while (runs_.size() > 1) {
      ptrdiff_t n = static_cast<ptrdiff_t>(runs_.size()) - 2;
      if (!run_invariant_established(n + 1) || !run_invariant_established(n)) {
        if (runs_[n - 1].length < runs_[n + 1].length) --n;
        merge_at(static_cast<size_t>(n));
      } else if (runs_[n].length <= runs_[n + 1].length) {
        merge_at(static_cast<size_t>(n));
      } else {
        break;
      }
    }
  }

  void merge_force_collapse() {
    while (runs_.size() > 1) {
      ptrdiff_t n = static_cast<ptrdiff_t>(runs_.size()) - 2;
      if (n > 0 && runs_[n - 1].length < runs_[n + 1].length) --n;
      merge_at(static_cast<size_t>(n));
    }
  }

  std::vector<T>& a_;
  Cmp cmp_;
  std::vector<T> tmp_;
  std::vector<Run> runs_;
  ptrdiff_t min_gallop_ = kMinGallopWins;
};

//! yjs LazyStructReader: the structs of one update in order, `curr()` first. Skips are passed
//! over when `filter_skips`.
class LazyStructReader {
 public:
  LazyStructReader(UpdateDecoder& dec, bool filter_skips)
      : sections_(read_struct_section(dec)), filter_skips_(filter_skips) {
    seek();
  }
  LazyStructReader(LazyStructReader&&) noexcept = default;
  LazyStructReader& operator=(LazyStructReader&&) noexcept = default;

  //! The current struct, or nullptr when all are read.
  StructRef* curr() const { return curr_; }
  StructRef* next() {
    ++struct_;
    seek();
    return curr_;
  }
  //! Moves the current struct out; call next() before using curr() again.
  StructRef take() { return std::move(*curr_); }

 private:
  void seek() {
    while (section_ < sections_.size()) {
      auto& structs = sections_[section_].structs;
      while (struct_ < structs.size()) {
        StructRef& s = structs[struct_];
        if (!(filter_skips_ && s.kind == StructRef::Kind::Skip)) {
          curr_ = &s;
          return;
        }
        ++struct_;
      }
      ++section_;
      struct_ = 0;
    }
    curr_ = nullptr;
  }

  std::vector<ClientStructs> sections_;
  bool filter_skips_;
  size_t section_ = 0;
  size_t struct_ = 0;
  StructRef* curr_ = nullptr;
};

//! yjs LazyStructWriter with writeStructToLazyStructWriter, flushLazyStructWriter and
//! finishLazyStructWriting.
class LazyStructWriter {
 public:
  explicit LazyStructWriter(UpdateEncoder& enc) : enc_(enc) {}

  void write(const StructRef& s, uint64_t offset) {
    // A new section whenever the client changes.
    if (written_ > 0 && curr_client_ != s.id.client) flush();
    if (written_ == 0) {
      curr_client_ = s.id.client;
      enc_.write_client(s.id.client);
      enc_.rest().write_var_uint(s.id.clock + offset);
    }
    s.write(enc_, offset);
    ++written_;
  }

  //! Writes the section count and the sections to the (now empty) rest stream; the delete set
  //! follows.
  void finish() {
    flush();
    Encoder& rest = enc_.rest();
    rest.write_var_uint(sections_.size());
    for (const Section& section : sections_) {
      rest.write_var_uint(section.written);
      rest.write_bytes(section.rest);
    }
    sections_.clear();
  }

 private:
  struct Section {
    uint64_t written;
    std::vector<uint8_t> rest;
  };

  void flush() {
    if (written_ > 0) {
      sections_.push_back({written_, enc_.rest().take()});
      written_ = 0;
    }
  }

  UpdateEncoder& enc_;
  ClientId curr_client_ = 0;
  uint64_t written_ = 0;
  std::vector<Section> sections_;
};

//! yjs writeDeleteSet. The v2 delete-set encoding stores each client's ranges as gaps and
//! lengths-minus-one, so it cannot hold empty or unordered ranges (which only a malformed v1
//! input or a client listed twice can bring): yjs throws on the former and writes garbage for
//! the latter; we report both.
void write_delete_set(UpdateEncoder& enc, const DeleteSet& ds) {
  if (enc.version() == UpdateVersion::V2) {
    for (const auto& [client, ranges] : ds.clients()) {
      Clock end = 0;
      for (const DeleteRange& r : ranges) {
        if (r.len == 0 || r.clock < end) {
          throw UnencodableError("delete set of client " + std::to_string(client) +
                                 (r.len == 0 ? " has an empty range" : " is not in order") +
                                 ", which format v2 cannot encode");
        }
        end = r.clock + r.len;
      }
    }
  }
  ds.write(enc);
}

StructRef make_skip(ID id, uint64_t length) {
  StructRef s;
  s.kind = StructRef::Kind::Skip;
  s.id = id;
  s.length = length;
  return s;
}

uint64_t end_clock(const StructRef& s) {
  return s.id.clock + s.length;
}

//! The readers of mergeUpdatesV2 (`lazyStructDecoders`) in the order yjs's repeated
//! `filter(...).sort(...)` gives them.
class MergeOrder {
 public:
  explicit MergeOrder(std::vector<LazyStructReader>& readers) {
    for (auto& r : readers) {
      if (r.curr() != nullptr) a_.push_back(&r);
    }
    full_sort();
  }

  bool empty() const { return head_ == a_.size(); }
  LazyStructReader& front() const { return *a_[head_]; }

  //! The front reader has advanced (only it can have: yjs reads from lazyStructDecoders[0]
  //! alone between two sorts). Re-establishes the order yjs's next filter+sort produces.
  void front_advanced() {
    LazyStructReader* x = a_[head_];
    if (x->curr() == nullptr) {
      ++head_;  // filtered out
      if (rest_mixed_) full_sort();
      return;
    }
    const auto rest_begin = a_.begin() + static_cast<ptrdiff_t>(head_) + 1;
    const auto pos = std::lower_bound(
        rest_begin, a_.end(), x,
        [](LazyStructReader* e, LazyStructReader* k) { return key_less(*e->curr(), *k->curr()); });
    if (rest_mixed_ || (pos != a_.end() && mixed(*(*pos)->curr(), *x->curr()))) {
      full_sort();
      return;
    }
    // A consistent comparator: any stable sort moves x (first in the array) in front of the
    // readers whose current struct has the same key.
    std::rotate(a_.begin() + static_cast<ptrdiff_t>(head_), rest_begin, pos);
  }

 private:
  //! The comparator of mergeUpdatesV2: higher clients first, then lower clocks; at one id a
  //! Skip after anything else, but a GC and an Item each "before" the other.
  static int js_compare(const LazyStructReader* d1, const LazyStructReader* d2) {
    const StructRef& c1 = *d1->curr();
    const StructRef& c2 = *d2->curr();
    if (c1.id.client == c2.id.client) {
      if (c1.id.clock == c2.id.clock) {
        if (c1.kind == c2.kind) return 0;
        return c1.kind == StructRef::Kind::Skip ? 1 : -1;
      }
      return c1.id.clock < c2.id.clock ? -1 : 1;
    }
    return c2.id.client < c1.id.client ? -1 : 1;
  }
  static bool key_less(const StructRef& a, const StructRef& b) {
    if (a.id.client != b.id.client) return a.id.client > b.id.client;
    return a.id.clock < b.id.clock;
  }
  //! Two structs on which js_compare is inconsistent (or Skip-ordered): same id, other kind.
  static bool mixed(const StructRef& a, const StructRef& b) {
    return a.id == b.id && a.kind != b.kind;
  }

  void full_sort() {
    a_.erase(a_.begin(), a_.begin() + static_cast<ptrdiff_t>(head_));
    head_ = 0;
    V8TimSort<LazyStructReader*, decltype(&js_compare)>(a_, &js_compare).sort();
    // The array is sorted by key now (js_compare is consistent across keys, and every decision
    // TimSort takes between different keys is right whatever it is told within a key). Note
    // whether a same-key group behind the front mixes kinds; should the key order not hold
    // after all, never sort incrementally again.
    rest_mixed_ = always_full_;
    for (size_t i = 0; i + 1 < a_.size(); ++i) {
      const StructRef& l = *a_[i]->curr();
      const StructRef& r = *a_[i + 1]->curr();
      if (key_less(r, l)) always_full_ = rest_mixed_ = true;
      if (i > 0 && mixed(l, r)) rest_mixed_ = true;
    }
  }

  std::vector<LazyStructReader*> a_;
  size_t head_ = 0;
  bool rest_mixed_ = false;  // some adjacent pair in a_[head_ + 1 ..] is mixed()
  bool always_full_ = false;
};

std::vector<uint8_t> merge_impl(const std::vector<Update>& updates, UpdateVersion v) {
  if (updates.size() == 1) return {updates[0].begin(), updates[0].end()};
  std::vector<std::unique_ptr<UpdateDecoder>> decoders;
  decoders.reserve(updates.size());
  std::vector<LazyStructReader> readers;
  readers.reserve(updates.size());
  size_t at = 0;
  try {
    for (; at < updates.size(); ++at) decoders.push_back(make_update_decoder(v, updates[at]));
    for (at = 0; at < updates.size(); ++at) readers.emplace_back(*decoders[at], true);
  } catch (const DecodeError& e) {
    throw std::runtime_error("update " + std::to_string(at) + ": " + e.what());
  }

  auto enc = make_update_encoder(v);
  LazyStructWriter writer(*enc);
  std::optional<StructRef> cw;  // yjs currWrite (its offset is always 0)
  MergeOrder order(readers);
  bool first = true;
  while (true) {
    if (!first) order.front_advanced();
    first = false;
    if (order.empty()) break;
    LazyStructReader& dec = order.front();
    const ClientId first_client = dec.curr()->id.client;
    if (cw) {
      StructRef* curr = dec.curr();
      bool iterated = false;
      // Skip what is written already (higher clients are written first).
      while (curr != nullptr && end_clock(*curr) <= end_clock(*cw) &&
             curr->id.client >= cw->id.client) {
        curr = dec.next();
        iterated = true;
      }
      if (curr == nullptr || curr->id.client != first_client ||
          (iterated && curr->id.clock > end_clock(*cw))) {
        continue;
      }
      if (first_client != cw->id.client) {
        writer.write(*cw, 0);
        cw = dec.take();
        dec.next();
      } else if (end_clock(*cw) < curr->id.clock) {
        if (cw->kind == StructRef::Kind::Skip) {
          // Extend the Skip (unreachable: a Skip in cw is always replaced in the same step).
          cw->length = end_clock(*curr) - cw->id.clock;
        } else {
          writer.write(*cw, 0);
          const uint64_t diff = curr->id.clock - end_clock(*cw);
          cw = make_skip(ID{first_client, end_clock(*cw)}, diff);
        }
      } else {
        const uint64_t diff = end_clock(*cw) - curr->id.clock;
        bool slice = false;
        if (diff > 0) {
          if (cw->kind == StructRef::Kind::Skip) {
            cw->length -= diff;  // unreachable, see above
          } else {
            slice = true;  // sliceStruct(curr, diff)
          }
        }
        // mergeWith: only GC + GC merges here (Items are never merged: Item.mergeWith wants
        // this.right === right, and lazily read items have no right; Skip + X needs X a Skip,
        // and the readers filter Skips).
        if (cw->kind == StructRef::Kind::GC && curr->kind == StructRef::Kind::GC) {
          cw->length += curr->length - (slice ? diff : 0);
        } else {
          writer.write(*cw, 0);
          StructRef s = dec.take();
          if (slice) s.trim_front(diff);
          cw = std::move(s);
          dec.next();
        }
      }
    } else {
      cw = dec.take();
      dec.next();
    }
    for (StructRef* next = dec.curr();
         next != nullptr && next->id.client == first_client && next->id.clock == end_clock(*cw) &&
         next->kind != StructRef::Kind::Skip;
         next = dec.next()) {
      writer.write(*cw, 0);
      cw = dec.take();
    }
  }
  if (cw) writer.write(*cw, 0);
  writer.finish();

  std::vector<DeleteSet> dss;
  dss.reserve(decoders.size());
  try {
    for (at = 0; at < decoders.size(); ++at) dss.push_back(DeleteSet::read(*decoders[at]));
  } catch (const DecodeError& e) {
    throw std::runtime_error("update " + std::to_string(at) + ": " + e.what());
  }
  std::vector<const DeleteSet*> ptrs;
  ptrs.reserve(dss.size());
  for (const auto& ds : dss) ptrs.push_back(&ds);
  write_delete_set(*enc, DeleteSet::merge(ptrs));
  return enc->finish();
}

std::vector<uint8_t> diff_impl(Update update, std::span<const uint8_t> sv_bytes, UpdateVersion v) {
  StateVector state;
  try {
    Decoder sv_dec(sv_bytes);
    state = read_state_vector(sv_dec);
  } catch (const DecodeError& e) {
    throw std::runtime_error(std::string("state vector: ") + e.what());
  }
  auto enc = make_update_encoder(v);
  LazyStructWriter writer(*enc);
  auto dec = make_update_decoder(v, update);
  LazyStructReader reader(*dec, false);
  while (StructRef* curr = reader.curr()) {
    const ClientId client = curr->id.client;
    const auto it = state.find(client);
    const Clock sv_clock = it == state.end() ? 0 : it->second;
    if (curr->kind == StructRef::Kind::Skip) {
      // The first written struct of a client must not be a Skip.
      reader.next();
      continue;
    }
    if (end_clock(*curr) > sv_clock) {
      writer.write(*curr, sv_clock > curr->id.clock ? sv_clock - curr->id.clock : 0);
      for (StructRef* s = reader.next(); s != nullptr && s->id.client == client;
           s = reader.next()) {
        writer.write(*s, 0);
      }
    } else {
      // Read until something new comes up.
      StructRef* s = reader.curr();
      while (s != nullptr && s->id.client == client && end_clock(*s) <= sv_clock) s = reader.next();
    }
  }
  writer.finish();
  write_delete_set(*enc, DeleteSet::read(*dec));
  return enc->finish();
}

std::vector<uint8_t> state_vector_impl(Update update, UpdateVersion v) {
  auto dec = make_update_decoder(v, update);
  LazyStructReader reader(*dec, false);
  Encoder out;
  const StructRef* curr = reader.curr();
  if (curr == nullptr) {
    out.write_var_uint(0);
    return out.take();
  }
  // Clients in update order (not sorted), as yjs writes them.
  Encoder body;
  uint64_t size = 0;
  ClientId curr_client = curr->id.client;
  bool stop_counting = curr->id.clock != 0;  // must start at 0
  Clock curr_clock = stop_counting ? 0 : end_clock(*curr);
  for (; curr != nullptr; curr = reader.next()) {
    if (curr_client != curr->id.client) {
      if (curr_clock != 0) {
        ++size;
        body.write_var_uint(curr_client);
        body.write_var_uint(curr_clock);
      }
      curr_client = curr->id.client;
      curr_clock = 0;
      stop_counting = curr->id.clock != 0;
    }
    if (curr->kind == StructRef::Kind::Skip) stop_counting = true;
    if (!stop_counting) curr_clock = end_clock(*curr);
  }
  if (curr_clock != 0) {
    ++size;
    body.write_var_uint(curr_client);
    body.write_var_uint(curr_clock);
  }
  out.write_var_uint(size);
  out.write_bytes(body.bytes());
  return out.take();
}

UpdateMeta meta_impl(Update update, UpdateVersion v) {
  auto dec = make_update_decoder(v, update);
  LazyStructReader reader(*dec, false);
  UpdateMeta meta;
  const StructRef* curr = reader.curr();
  if (curr == nullptr) return meta;
  ClientId curr_client = curr->id.client;
  Clock curr_clock = curr->id.clock;
  meta.from[curr_client] = curr_clock;
  for (; curr != nullptr; curr = reader.next()) {
    if (curr_client != curr->id.client) {
      meta.to[curr_client] = curr_clock;
      meta.from[curr->id.client] = curr->id.clock;
      curr_client = curr->id.client;
    }
    curr_clock = end_clock(*curr);
  }
  meta.to[curr_client] = curr_clock;
  return meta;
}

bool known_deletions_impl(Update update, Update state) {
  auto dec = make_update_decoder(UpdateVersion::V1, update);
  if (LazyStructReader(*dec, true).curr() != nullptr) return false;
  const DeleteSet deletions = DeleteSet::read(*dec);
  if (deletions.empty()) return true;
  auto state_dec = make_update_decoder(UpdateVersion::V1, state);
  const LazyStructReader state_structs(*state_dec, false);  // read to reach the delete set
  DeleteSet deleted = DeleteSet::read(*state_dec);
  deleted.sort_and_merge();
  for (const auto& [client, ranges] : deletions.clients()) {
    for (const DeleteRange& r : ranges) {
      if (!deleted.covers(client, r)) return false;
    }
  }
  return true;
}

std::vector<uint8_t> convert_impl(Update update, UpdateVersion from, UpdateVersion to) {
  auto dec = make_update_decoder(from, update);
  LazyStructReader reader(*dec, false);
  auto enc = make_update_encoder(to);
  LazyStructWriter writer(*enc);
  for (const StructRef* curr = reader.curr(); curr != nullptr; curr = reader.next()) {
    writer.write(*curr, 0);
  }
  writer.finish();
  write_delete_set(*enc, DeleteSet::read(*dec));
  return enc->finish();
}

//! Runs `fn`, turning the exceptions of malformed input into an error Result.
template <class Fn>
auto guarded(const char* what, Fn&& fn) -> Result<decltype(fn())> {
  try {
    return fn();
  } catch (const std::exception& e) {
    return Status::Error(std::string(what) + ": " + e.what());
  }
}

}  // namespace

Result<std::vector<uint8_t>> merge_updates(const std::vector<Update>& updates, UpdateVersion v) {
  return guarded("merge_updates", [&] { return merge_impl(updates, v); });
}

Result<std::vector<uint8_t>> diff_update(Update update, std::span<const uint8_t> state_vector,
                                         UpdateVersion v) {
  return guarded("diff_update", [&] { return diff_impl(update, state_vector, v); });
}

Result<std::vector<uint8_t>> state_vector_from_update(Update update, UpdateVersion v) {
  return guarded("state_vector_from_update", [&] { return state_vector_impl(update, v); });
}

Result<UpdateMeta> parse_update_meta(Update update, UpdateVersion v) {
  return guarded("parse_update_meta", [&] { return meta_impl(update, v); });
}

bool adds_only_known_deletions(Update update, Update state) {
  auto known = guarded("adds_only_known_deletions", [&] { return known_deletions_impl(update, state); });
  return known.ok() && known.value();
}

Result<std::vector<uint8_t>> convert_update(Update update, UpdateVersion from, UpdateVersion to) {
  return guarded("convert_update", [&] { return convert_impl(update, from, to); });
}

}  // namespace tandem::crdt
