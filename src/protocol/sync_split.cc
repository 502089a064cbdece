#include "protocol/sync_split.h"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

#include "crdt/content.h"
#include "crdt/lib0_encoding.h"
#include "crdt/lib0_utf8.h"
#include "crdt/struct_ref.h"
#include "crdt/update_codec.h"
#include "protocol/messages.h"
#include "protocol/var_uint.h"

namespace tandem::protocol {

namespace {

using crdt::StructRef;
using detail::put_var_uint;
using detail::var_uint_size;

using Bytes = std::vector<uint8_t>;
using Range = std::pair<uint64_t, uint64_t>;  // delete-set clock, length

Bytes encode_struct(const StructRef& s) {
  auto enc = crdt::make_update_encoder(crdt::UpdateVersion::V1);
  s.write(*enc, 0);
  return enc->finish();
}

//! The parts being built. Each part's size is kept under `budget` by an upper bound: counts
//! not known until the part is closed are reckoned at the size of a var-uint of `budget`.
//! Invariant: a part lists a client at most once among its struct sections (Yjs reads a
//! client listed twice as the second listing alone) and once in its delete set.
class PartWriter {
 public:
  explicit PartWriter(size_t budget) : budget_(budget), bound_(var_uint_size(budget)) {
    start_part();
  }

  bool empty() const { return sections_.empty() && ds_.empty(); }
  //! Whether a struct of `client` at `clock` extends the current part's last section.
  bool continues(uint64_t client, uint64_t clock) const {
    return !sections_.empty() && sections_.back().client == client &&
           sections_.back().next_clock == clock;
  }
  bool has_section(uint64_t client) const { return clients_.count(client) > 0; }
  //! Bytes left in the current part for a struct of `client` at `clock`.
  size_t room_for_struct(uint64_t client, uint64_t clock) const {
    return left(continues(client, clock) ? 0 : section_header(client, clock));
  }
  //! The same in an empty part.
  size_t room_when_empty(uint64_t client, uint64_t clock) const {
    return budget_ - base() - std::min(budget_ - base(), section_header(client, clock));
  }
  //! REQUIRES: !has_section(client) || continues(client, clock).
  void add_struct(uint64_t client, uint64_t clock, uint64_t length, std::span<const uint8_t> bytes) {
    if (!continues(client, clock)) {
      used_ += section_header(client, clock);
      sections_.push_back(Section{client, clock, clock, 0, {}});
      clients_.insert(client);
    }
    Section& s = sections_.back();
    s.bytes.insert(s.bytes.end(), bytes.begin(), bytes.end());
    s.next_clock += length;
    ++s.count;
    used_ += bytes.size();
  }

  //! Bytes left for delete ranges of `client` in the current part.
  size_t room_for_ranges(uint64_t client) const {
    const bool listed = !ds_.empty() && ds_.back().first == client;
    return left(listed ? 0 : var_uint_size(client) + bound_);
  }
  void add_range(uint64_t client, Range r) {
    if (ds_.empty() || ds_.back().first != client) {
      used_ += var_uint_size(client) + bound_;
      ds_.emplace_back(client, std::vector<Range>{});
    }
    ds_.back().second.push_back(r);
    used_ += range_size(r);
  }
  static size_t range_size(Range r) { return var_uint_size(r.first) + var_uint_size(r.second); }

  //! Ends the current part (if it holds anything) and starts another.
  void close() {
    if (empty()) return;
    Bytes out;
    out.reserve(used_);
    put_var_uint(out, sections_.size());
    for (const Section& s : sections_) {
      put_var_uint(out, s.count);
      put_var_uint(out, s.client);
      put_var_uint(out, s.clock);
      out.insert(out.end(), s.bytes.begin(), s.bytes.end());
    }
    put_var_uint(out, ds_.size());
    for (const auto& [client, ranges] : ds_) {
      put_var_uint(out, client);
      put_var_uint(out, ranges.size());
      for (const Range& r : ranges) {
        put_var_uint(out, r.first);
        put_var_uint(out, r.second);
      }
    }
    parts_.push_back(std::move(out));
    start_part();
  }

  std::vector<Bytes> finish() {
    close();
    if (parts_.empty()) parts_.push_back(Bytes{0, 0});  // an empty update
    return std::move(parts_);
  }

 private:
  struct Section {
    uint64_t client, clock, next_clock, count;
    Bytes bytes;
  };

  // The part's section count and delete-set client count.
  size_t base() const { return 2 * bound_; }
  size_t section_header(uint64_t client, uint64_t clock) const {
    return bound_ + var_uint_size(client) + var_uint_size(clock);
  }
  size_t left(size_t overhead) const {
    return used_ + overhead >= budget_ ? 0 : budget_ - used_ - overhead;
  }
  void start_part() {
    sections_.clear();
    clients_.clear();
    ds_.clear();
    used_ = base();
  }

  size_t budget_;
  size_t bound_;
  size_t used_ = 0;
  std::vector<Section> sections_;
  std::unordered_set<uint64_t> clients_;  // those of sections_
  std::vector<std::pair<uint64_t, std::vector<Range>>> ds_;
  std::vector<Bytes> parts_;
};

//! Cuts the first `units` off `s` (0 < units < s.length): returns them as an item of their
//! own and leaves the rest in `s`, whose left origin becomes the last unit cut, as Yjs's
//! splitItem and sliceStruct do.
StructRef cut_front(StructRef& s, uint64_t units) {
  StructRef head;
  head.kind = StructRef::Kind::Item;
  head.id = s.id;
  head.length = units;
  head.origin = s.origin;
  head.right_origin = s.right_origin;
  head.parent = s.parent;
  head.parent_sub = s.parent_sub;
  head.content = std::move(s.content);
  s.content = head.content.splice(units);
  s.id.clock += units;
  s.length -= units;
  s.origin = crdt::ID{s.id.client, s.id.clock - 1};
  return head;
}

//! Most UTF-16 units of a string item that encode in `room` bytes, never inside a
//! surrogate pair (a cut there would turn both halves into U+FFFD); 0 if none fit.
uint64_t string_units_fitting(const StructRef& s, size_t whole_size, size_t room) {
  const std::string& utf8 = s.content.get<crdt::ContentString>()->utf8;
  const size_t header = whole_size - var_uint_size(utf8.size()) - utf8.size();
  if (header + 2 > room) return 0;
  const size_t avail = room - header;
  size_t p = std::min(avail - var_uint_size(avail), utf8.size());
  while (p > 0 && p < utf8.size() && (static_cast<uint8_t>(utf8[p]) & 0xC0) == 0x80) --p;
  return crdt::lib0::utf16_units(std::string_view(utf8).substr(0, p));
}

//! Most elements of an Any item (what Y.Array and Y.Map write) that encode in `room` bytes.
uint64_t any_elements_fitting(const StructRef& s, size_t whole_size, size_t room) {
  const std::vector<crdt::Any>& values = s.content.get<crdt::ContentAny>()->values;
  crdt::Encoder enc;
  std::vector<size_t> sizes;
  sizes.reserve(values.size());
  for (const crdt::Any& v : values) {
    const size_t before = enc.size();
    enc.write_any(v);
    sizes.push_back(enc.size() - before);
  }
  const size_t header = whole_size - var_uint_size(values.size()) - enc.size();
  size_t used = header;
  uint64_t k = 0;
  while (k + 1 < values.size() && used + sizes[k] + var_uint_size(k + 1) <= room) used += sizes[k++];
  return k;
}

//! Most elements of a legacy JSON item that encode in `room` bytes (a binary search: Yjs no
//! longer writes such items, so they are rare and small).
uint64_t json_elements_fitting(const StructRef& s, size_t room) {
  const auto head_size = [&](uint64_t k) {
    StructRef head;
    head.kind = StructRef::Kind::Item;
    head.id = s.id;
    head.origin = s.origin;
    head.right_origin = s.right_origin;
    head.parent = s.parent;
    head.parent_sub = s.parent_sub;
    head.content = s.content.copy();
    (void)head.content.splice(k);
    head.length = k;
    return encode_struct(head).size();
  };
  uint64_t lo = 0, hi = s.length - 1;  // the answer lies in [lo, hi]
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    if (head_size(mid) <= room) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

//! Splits an update's structs and delete set into parts (the state of one split_sync_step2).
class Splitter {
 public:
  explicit Splitter(size_t budget) : parts_(budget) {}

  //! One struct of the update and its bytes there.
  void add(StructRef& s, std::span<const uint8_t> raw) {
    const uint64_t client = s.id.client, clock = s.id.clock;
    // A section never starts with a Skip (what diffUpdate also ensures): it carries nothing.
    if (s.kind == StructRef::Kind::Skip && !parts_.continues(client, clock)) return;
    if (!parts_.continues(client, clock) && parts_.has_section(client)) parts_.close();
    if (raw.size() <= parts_.room_for_struct(client, clock)) {
      parts_.add_struct(client, clock, s.length, raw);
    } else if (raw.size() <= parts_.room_when_empty(client, clock)) {
      parts_.close();
      parts_.add_struct(client, clock, s.length, raw);
    } else {
      cut(s);
    }
  }

  void add_ranges(uint64_t client, const std::vector<Range>& ranges) {
    for (const Range& r : ranges) {
      if (PartWriter::range_size(r) > parts_.room_for_ranges(client)) parts_.close();
      parts_.add_range(client, r);
    }
  }

  std::vector<Bytes> finish() { return parts_.finish(); }

 private:
  //! Writes `s`, larger than a part, in pieces that each fill the rest of a part.
  void cut(StructRef& s) {
    while (s.length > 0) {
      const size_t room = parts_.room_for_struct(s.id.client, s.id.clock);
      const Bytes whole = encode_struct(s);
      if (whole.size() <= room) {
        parts_.add_struct(s.id.client, s.id.clock, s.length, whole);
        return;
      }
      const uint64_t units = units_fitting(s, whole.size(), room);
      if (units == 0) {
        if (!parts_.empty()) {
          parts_.close();
          continue;
        }
        // Cannot be cut, or not small enough: alone in a part over the cap.
        parts_.add_struct(s.id.client, s.id.clock, s.length, whole);
        parts_.close();
        return;
      }
      const StructRef head = cut_front(s, units);
      parts_.add_struct(head.id.client, head.id.clock, head.length, encode_struct(head));
    }
  }

  static uint64_t units_fitting(const StructRef& s, size_t whole_size, size_t room) {
    if (s.kind != StructRef::Kind::Item || s.length < 2) return 0;
    switch (s.content.ref()) {
      case crdt::ContentRef::String: return string_units_fitting(s, whole_size, room);
      case crdt::ContentRef::Any: return any_elements_fitting(s, whole_size, room);
      case crdt::ContentRef::JSON: return json_elements_fitting(s, room);
      default: return 0;  // embeds, formats, types, docs, binaries: one unit each
    }
  }

  PartWriter parts_;
};

//! Reads the update's struct section and hands each struct, with its bytes, to `splitter`.
//! Throws DecodeError.
void read_structs(crdt::UpdateDecoder& dec, std::span<const uint8_t> update, Splitter& splitter) {
  crdt::Decoder& r = dec.rest();
  const uint64_t sections = r.read_var_uint();
  if (sections > r.remaining()) r.fail("implausible client count");
  for (uint64_t i = 0; i < sections; ++i) {
    const uint64_t count = r.read_var_uint();
    const uint64_t client = dec.read_client();
    uint64_t clock = r.read_var_uint();
    if (count > r.remaining()) r.fail("implausible struct count");
    for (uint64_t k = 0; k < count; ++k) {
      const size_t start = r.pos();
      const uint8_t info = dec.read_info();
      StructRef s = crdt::read_struct(dec, info, crdt::ID{client, clock});
      clock += s.length;  // read_struct checked it stays within 2^53
      splitter.add(s, update.subspan(start, r.pos() - start));
    }
  }
}

//! Reads the update's delete set (yjs readDeleteSet, v1) into `splitter`. Throws DecodeError.
void read_delete_set(crdt::Decoder& r, Splitter& splitter) {
  const uint64_t clients = r.read_var_uint();
  if (clients > r.remaining()) r.fail("implausible delete-set client count");
  std::vector<Range> ranges;
  for (uint64_t i = 0; i < clients; ++i) {
    const uint64_t client = r.read_var_uint();
    const uint64_t n = r.read_var_uint();
    if (n > r.remaining() / 2) r.fail("implausible delete-set range count");
    ranges.clear();
    for (uint64_t k = 0; k < n; ++k) {
      const uint64_t clock = r.read_var_uint();
      const uint64_t len = r.read_var_uint();
      ranges.emplace_back(clock, len);
    }
    splitter.add_ranges(client, ranges);
  }
}

}  // namespace

Result<std::vector<std::vector<uint8_t>>> split_sync_step2(std::span<const uint8_t> update,
                                                          size_t max_message_bytes) {
  if (max_message_bytes < kMinSyncMessageBytes) {
    return Status::Error("split_sync_step2: a cap of " + std::to_string(max_message_bytes) +
                         " bytes is under the minimum of " + std::to_string(kMinSyncMessageBytes));
  }
  Bytes whole = encode_sync_step2(update);
  if (whole.size() <= max_message_bytes) return std::vector<Bytes>{std::move(whole)};

  // A message is [0, 1 or 2, var-uint length, update].
  const size_t budget = max_message_bytes - 2 - var_uint_size(max_message_bytes);
  Splitter splitter(budget);
  try {
    auto dec = crdt::make_update_decoder(crdt::UpdateVersion::V1, update);
    read_structs(*dec, update, splitter);
    read_delete_set(dec->rest(), splitter);
  } catch (const crdt::DecodeError& e) {
    return Status::Error(std::string("split_sync_step2: ") + e.what());
  }
  std::vector<Bytes> parts = splitter.finish();
  std::vector<Bytes> messages;
  messages.reserve(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    messages.push_back(i + 1 < parts.size() ? encode_sync_update(parts[i]) : encode_sync_step2(parts[i]));
  }
  return messages;
}

}  // namespace tandem::protocol
