#include "interop_util.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "crdt/js_json.h"
#include "crdt/text.h"

namespace tandem::interop {

using crdt::Any;
using crdt::AnyArray;
using crdt::AnyObject;

std::vector<uint8_t> b64decode(std::string_view s) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<uint8_t> out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;
    size_t v = kAlphabet.find(c);
    if (v == std::string::npos) continue;
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((buf >> bits) & 0xFF));
    }
  }
  return out;
}

namespace {

std::string hex_range(std::span<const uint8_t> b, size_t from, size_t to) {
  std::ostringstream o;
  for (size_t i = from; i < b.size() && i < to; ++i) {
    o << std::hex << (b[i] < 16 ? "0" : "") << static_cast<int>(b[i]);
  }
  return o.str();
}

}  // namespace

std::string hex_prefix(std::span<const uint8_t> b) {
  std::string s = hex_range(b, 0, 48);
  if (b.size() > 48) s += "...(" + std::to_string(b.size()) + " bytes)";
  return s;
}

std::string bytes_difference(std::span<const uint8_t> want, std::span<const uint8_t> got) {
  if (std::equal(want.begin(), want.end(), got.begin(), got.end())) return {};
  size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  size_t from = i < 16 ? 0 : i - 16;
  std::ostringstream o;
  o << "expected " << want.size() << " bytes, got " << got.size() << "; first difference at offset "
    << i << "\n  expected [" << from << "..]: " << hex_range(want, from, i + 32) << "\n  got      ["
    << from << "..]: " << hex_range(got, from, i + 32);
  if (want.size() <= 256 && got.size() <= 256) {
    o << "\n  expected: " << hex_range(want, 0, want.size())
      << "\n  got:      " << hex_range(got, 0, got.size());
  }
  return o.str();
}

const Any& member(const Any& o, std::string_view key) {
  if (const Any* v = find_member(o, key)) return *v;
  throw std::runtime_error("missing member " + std::string(key));
}

const Any* find_member(const Any& o, std::string_view key) {
  if (o.kind != Any::Kind::Object) return nullptr;
  for (const auto& [k, v] : o.object()) {
    if (k == key) return &v;
  }
  return nullptr;
}

namespace {

std::string show(const Any& a) {
  switch (a.kind) {
    case Any::Kind::Undefined:
      return "undefined";
    case Any::Kind::BigInt:
      return std::to_string(a.bigint) + "n";
    case Any::Kind::Buffer:
      return "Uint8Array[" + hex_prefix(a.buffer()) + "]";
    case Any::Kind::Number:
      if (a.number == 0 && std::signbit(a.number)) return "-0";
      if (std::isnan(a.number)) return "NaN";
      if (std::isinf(a.number)) return a.number > 0 ? "Infinity" : "-Infinity";
      return crdt::js_number_to_string(a.number);
    default: {
      std::string s = crdt::js_stringify(a);
      if (s.size() > 300) s = s.substr(0, 300) + "...";
      return s;
    }
  }
}

std::optional<std::string> differ(const std::string& path, const std::string& expected,
                                  const Any& got) {
  return path + ": expected " + expected + ", got " + show(got);
}

// The tag of a tagged value ({"$...": ...}); the generator never writes "$" keys in data.
const std::string* tag_of(const Any& want) {
  if (want.kind != Any::Kind::Object) return nullptr;
  for (const auto& [k, v] : want.object()) {
    if (!k.empty() && k[0] == '$') return &k;
  }
  return nullptr;
}

std::optional<std::string> tagged_difference(const std::string& tag, const Any& want,
                                             const Any& got, const std::string& path) {
  const Any& arg = member(want, tag);
  if (tag == "$undefined") {
    if (got.is_undefined()) return std::nullopt;
    return differ(path, "undefined", got);
  }
  if (tag == "$number") {
    const std::string& s = arg.str;
    bool ok = got.kind == Any::Kind::Number &&
              ((s == "-0" && got.number == 0 && std::signbit(got.number)) ||
               (s == "NaN" && std::isnan(got.number)) ||
               (s == "Infinity" && std::isinf(got.number) && got.number > 0) ||
               (s == "-Infinity" && std::isinf(got.number) && got.number < 0));
    if (ok) return std::nullopt;
    return differ(path, s, got);
  }
  if (tag == "$bigint") {
    if (got.kind == Any::Kind::BigInt && std::to_string(got.bigint) == arg.str) return std::nullopt;
    return differ(path, arg.str + "n", got);
  }
  if (tag == "$bytes") {
    if (got.kind == Any::Kind::Buffer && b64decode(arg.str) == got.buffer()) return std::nullopt;
    return differ(path, "Uint8Array[" + hex_prefix(b64decode(arg.str)) + "]", got);
  }
  if (tag == "$doc") {
    // Tandem's to_json of a subdocument: {"guid"} (and "opts" if it reports them).
    if (got.kind != Any::Kind::Object) return differ(path, "subdocument " + show(arg), got);
    for (const auto& [k, v] : got.object()) {
      if (k != "guid" && k != "opts") return differ(path, "subdocument " + show(arg), got);
    }
    const Any* guid = find_member(got, "guid");
    if (!guid || guid->kind != Any::Kind::String || guid->str != member(arg, "guid").str) {
      return differ(path, "subdocument " + show(arg), got);
    }
    if (const Any* opts = find_member(got, "opts")) {
      return json_difference(member(arg, "opts"), *opts, path + ".opts");
    }
    return std::nullopt;
  }
  if (tag == "$type") {
    return json_difference(member(want, "json"), got, path + "<" + arg.str + ">");
  }
  return path + ": unexpected tag " + tag + " in expected value " + show(want);
}

}  // namespace

std::optional<std::string> json_difference(const Any& want, const Any& got,
                                           const std::string& path) {
  if (const std::string* tag = tag_of(want)) return tagged_difference(*tag, want, got, path);
  switch (want.kind) {
    case Any::Kind::Null:
      if (got.is_null()) return std::nullopt;
      break;
    case Any::Kind::Bool:
      if (got.kind == Any::Kind::Bool && got.boolean == want.boolean) return std::nullopt;
      break;
    case Any::Kind::Number:
      if (got.kind == Any::Kind::Number && got.number == want.number &&
          std::signbit(got.number) == std::signbit(want.number)) {
        return std::nullopt;
      }
      break;
    case Any::Kind::String:
      if (got.kind == Any::Kind::String && got.str == want.str) return std::nullopt;
      break;
    case Any::Kind::Array: {
      if (got.kind != Any::Kind::Array) break;
      const AnyArray& w = want.array();
      const AnyArray& g = got.array();
      for (size_t i = 0; i < w.size() && i < g.size(); ++i) {
        if (auto d = json_difference(w[i], g[i], path + "[" + std::to_string(i) + "]")) return d;
      }
      if (w.size() != g.size()) {
        return path + ": expected an array of " + std::to_string(w.size()) + " elements, got " +
               std::to_string(g.size()) + ": " + show(got);
      }
      return std::nullopt;
    }
    case Any::Kind::Object: {
      if (got.kind != Any::Kind::Object) break;
      for (const auto& [k, v] : want.object()) {
        const Any* g = find_member(got, k);
        if (!g) return path + ": missing member \"" + k + "\" in " + show(got);
        if (auto d = json_difference(v, *g, path + "." + k)) return d;
      }
      for (const auto& [k, v] : got.object()) {
        if (!find_member(want, k)) return path + ": unexpected member \"" + k + "\": " + show(v);
      }
      return std::nullopt;
    }
    default:
      // js_parse never yields undefined, bigint or buffers: those are tagged.
      return path + ": unexpected expected value kind";
  }
  return differ(path, show(want), got);
}

Any delta_json(const crdt::Type* text) {
  AnyArray ops;
  for (auto& op : crdt::text_to_delta(text)) {
    AnyObject o;
    o.emplace_back("insert", op.insert);
    if (!op.attributes.empty()) o.emplace_back("attributes", Any::Object(op.attributes));
    ops.push_back(Any::Object(std::move(o)));
  }
  return Any::Array(std::move(ops));
}

}  // namespace tandem::interop
