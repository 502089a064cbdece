#include "crdt/struct_ref.h"

#include <algorithm>

#include "crdt/lib0_encoding.h"
#include "crdt/update_codec_impl.h"

namespace tandem::crdt {

namespace {
constexpr uint8_t kBit6 = 0x20, kBit7 = 0x40, kBit8 = 0x80;

uint64_t checked_clock_end(Decoder& d, uint64_t clock, uint64_t len) {
  if (len > kMaxSafeInteger || clock > kMaxSafeInteger - len) d.fail("struct clock out of range");
  return clock + len;
}
}  // namespace

namespace {
// read_struct into `s`, a default-constructed StructRef (in place: a StructRef is big).
// Instantiated for the concrete decoders too, so that decoding a big update makes no virtual
// call per field.
template <class Dec>
void read_struct_into(Dec& dec, uint8_t info, ID id, StructRef& s) {
  s.id = id;
  uint8_t ref = info & 0x1F;
  if (info == 10) {
    s.kind = StructRef::Kind::Skip;
    s.length = dec.rest().read_var_uint();
  } else if (ref == 0) {
    s.kind = StructRef::Kind::GC;
    s.length = dec.read_len();
  } else {
    s.kind = StructRef::Kind::Item;
    bool cant_copy_parent_info = (info & (kBit7 | kBit8)) == 0;
    if (info & kBit8) s.origin = dec.read_left_id();
    if (info & kBit7) s.right_origin = dec.read_right_id();
    if (cant_copy_parent_info) {
      if (dec.read_parent_info()) {
        s.parent = dec.read_string();
      } else {
        s.parent = dec.read_left_id();
      }
      if (info & kBit6) s.parent_sub = dec.read_string();
    }
    detail::read_struct_content(dec, info, s.content);
    if (ref == static_cast<uint8_t>(ContentRef::String) && s.content.length() == 0) {
      dec.rest().fail("empty string content");
    }
    s.length = s.content.length();
  }
  if (s.length == 0) dec.rest().fail("struct of length 0");
  checked_clock_end(dec.rest(), id.clock, s.length);
}
}  // namespace

StructRef read_struct(UpdateDecoder& dec, uint8_t info, ID id) {
  StructRef s;
  read_struct_into(dec, info, id, s);
  return s;
}

namespace {
template <class Dec>
void read_structs(Dec& dec, std::vector<ClientStructs>& out) {
  // In v1 every struct takes at least two bytes; v2's run-length columns can describe
  // structs in no bytes at all, so a few bytes could ask for 2^53 structs. Real documents
  // have well under one struct per byte (the Eg-walker v2 datasets: 0.05-0.15).
  const uint64_t max_structs = kMaxStructsPerByte * dec.input_size() + kMinStructLimit;
  uint64_t total = 0;
  uint64_t num_clients = dec.rest().read_var_uint();
  // Each client section takes at least two bytes of the rest stream.
  if (num_clients > dec.rest().remaining()) dec.rest().fail("implausible client count");
  // Not more than that: a hostile count of a few bytes each would reserve many times the
  // input's size.
  out.reserve(std::min<uint64_t>(num_clients, kMinStructLimit));
  size_t used = 0;  // sections of `out` filled; the others are reused or dropped
  for (uint64_t c = 0; c < num_clients; ++c) {
    uint64_t num_structs = dec.rest().read_var_uint();
    ClientId client = dec.read_client();
    Clock clock = dec.rest().read_var_uint();
    if (used == out.size()) out.emplace_back();
    ClientStructs& cs = out[used++];
    cs.client = client;
    cs.structs.clear();
    if (num_structs > max_structs - total) dec.rest().fail("implausible struct count");
    // Room for all of them, unless there are implausibly many for the input's size (real
    // documents have well under one struct per 4 bytes): growing a vector of thousands of
    // structs moves them all each time.
    cs.structs.reserve(std::min<uint64_t>(num_structs, dec.input_size() / 4 + 1024));
    total += num_structs;
    for (uint64_t i = 0; i < num_structs; ++i) {
      uint8_t info = dec.read_info();
      read_struct_into(dec, info, ID{client, clock}, cs.structs.emplace_back());
      clock = checked_clock_end(dec.rest(), clock, cs.structs.back().length);
    }
  }
  out.resize(used);
}
}  // namespace

void read_struct_section(UpdateDecoder& dec, std::vector<ClientStructs>& out) {
  // The two decoders of update_codec_impl.h are the only implementations of UpdateDecoder.
  if (dec.version() == UpdateVersion::V1) {
    read_structs(static_cast<detail::UpdateDecoderV1&>(dec), out);
  } else {
    read_structs(static_cast<detail::UpdateDecoderV2&>(dec), out);
  }
}

std::vector<ClientStructs> read_struct_section(UpdateDecoder& dec) {
  std::vector<ClientStructs> out;
  read_struct_section(dec, out);
  return out;
}

void StructRef::trim_front(uint64_t offset) {
  if (offset == 0) return;
  id.clock += offset;
  length -= offset;
  if (kind == Kind::Item) {
    origin = ID{id.client, id.clock - 1};
    content = content.splice(offset);
  }
}

void StructRef::write(UpdateEncoder& enc, uint64_t offset) const {
  switch (kind) {
    case Kind::GC:
      enc.write_info(0);
      enc.write_len(length - offset);
      return;
    case Kind::Skip:
      enc.write_info(10);
      enc.rest().write_var_uint(length - offset);
      return;
    case Kind::Item: break;
  }
  std::optional<ID> o = offset > 0 ? std::optional<ID>(ID{id.client, id.clock + offset - 1}) : origin;
  uint8_t info = (static_cast<uint8_t>(content.ref()) & 0x1F) | (o ? kBit8 : 0) |
                 (right_origin ? kBit7 : 0) | (parent_sub ? kBit6 : 0);
  enc.write_info(info);
  if (o) enc.write_left_id(*o);
  if (right_origin) enc.write_right_id(*right_origin);
  if (!o && !right_origin) {
    if (const auto* name = std::get_if<std::string>(&parent)) {
      enc.write_parent_info(true);
      enc.write_string(*name);
    } else if (const auto* pid = std::get_if<ID>(&parent)) {
      enc.write_parent_info(false);
      enc.write_left_id(*pid);
    }
    if (parent_sub) enc.write_string(*parent_sub);
  }
  content.write(enc, offset);
}

}  // namespace tandem::crdt
