#include "crdt/content.h"

#include <cassert>

#include "crdt/js_json.h"
#include "crdt/lib0_utf8.h"
#include "crdt/type.h"

namespace tandem::crdt {

Content::~Content() = default;
Content::Content(Content&&) noexcept = default;
Content& Content::operator=(Content&&) noexcept = default;

Content Content::String(std::string utf8) {
  uint64_t n = utf16_length(utf8);
  return Content(ContentString{std::move(utf8), n});
}
void Content::set_string(std::string utf8) {
  const uint64_t n = utf16_length(utf8);
  v_.emplace<ContentString>(ContentString{std::move(utf8), n});  // not through the overload:
                                                                // one string move fewer
}
void Content::set_string(std::string&& utf8, uint64_t utf16_units) {
  assert(utf16_units == utf16_length(utf8));
  v_.emplace<ContentString>(ContentString{std::move(utf8), utf16_units});
}
Content Content::Embed(Any v) { return Content(ContentEmbed{std::make_unique<Any>(std::move(v))}); }
Content Content::Format(std::string key, Any v) {
  return Content(ContentFormat{std::make_unique<ContentFormat::Data>(
      ContentFormat::Data{std::move(key), std::move(v)})});
}
Content Content::OfType(std::unique_ptr<Type> t) {
  return Content(ContentType{std::unique_ptr<Type, TypeDeleter>(t.release())});
}

void TypeDeleter::operator()(Type* t) const { delete t; }

ContentRef Content::ref() const {
  switch (v_.index()) {
    case 0: return ContentRef::Deleted;
    case 1: return ContentRef::JSON;
    case 2: return ContentRef::Binary;
    case 3: return ContentRef::String;
    case 4: return ContentRef::Embed;
    case 5: return ContentRef::Format;
    case 6: return ContentRef::Type;
    case 7: return ContentRef::Any;
    default: return ContentRef::Doc;
  }
}

uint64_t Content::length() const {
  switch (v_.index()) {
    case 0: return std::get<ContentDeleted>(v_).len;
    case 1: return std::get<ContentJSON>(v_).values.size();
    case 3: return std::get<ContentString>(v_).utf16_len;
    case 7: return std::get<ContentAny>(v_).values.size();
    default: return 1;
  }
}

bool Content::countable() const {
  ContentRef r = ref();
  return r != ContentRef::Deleted && r != ContentRef::Format;
}

uint64_t utf16_length(std::string_view s) { return lib0::utf16_units(s); }

size_t utf8_offset_of_utf16(std::string_view s, uint64_t units, bool* split_pair) {
  if (split_pair) *split_pair = false;
  size_t i = 0;
  uint64_t u = 0;
  while (i < s.size() && u < units) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t w = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (w == 4) {
      if (u + 1 == units) {
        if (split_pair) *split_pair = true;
        return i;
      }
      u += 2;
    } else {
      u += 1;
    }
    i += w;
  }
  return i;
}

namespace {
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// utf8_offset_of_utf16 for a ContentString. Only ASCII text has as many bytes as UTF-16 units
// (any other character takes more bytes than units), and there the offset is the unit count:
// typing makes long ASCII items whose tail is written at every keystroke.
size_t string_offset(const ContentString& s, uint64_t units, bool* split_pair) {
  if (s.utf8.size() == s.utf16_len) {
    *split_pair = false;
    return std::min<size_t>(units, s.utf8.size());
  }
  return utf8_offset_of_utf16(s.utf8, units, split_pair);
}

Content splice_string(ContentString& s, uint64_t offset) {
  bool split_pair = false;
  size_t at = string_offset(s, offset, &split_pair);
  ContentString right;
  if (split_pair) {
    // Yjs replaces the orphaned halves of a split surrogate pair by U+FFFD on both sides.
    right.utf8 = std::string(kReplacement) + s.utf8.substr(at + 4);
    s.utf8.resize(at);
    s.utf8 += kReplacement;
  } else {
    right.utf8 = s.utf8.substr(at);
    s.utf8.resize(at);
  }
  right.utf16_len = s.utf16_len - offset;
  s.utf16_len = offset;
  return Content(std::move(right));
}

template <class T>
Content splice_values(T& c, uint64_t offset) {
  T right;
  right.values.assign(std::make_move_iterator(c.values.begin() + offset),
                      std::make_move_iterator(c.values.end()));
  c.values.resize(offset);
  return Content(std::move(right));
}
}  // namespace

Content Content::splice(uint64_t offset) {
  switch (ref()) {
    case ContentRef::Deleted: {
      auto& d = std::get<ContentDeleted>(v_);
      Content right = Content::Deleted(d.len - offset);
      d.len = offset;
      return right;
    }
    case ContentRef::String: return splice_string(std::get<ContentString>(v_), offset);
    case ContentRef::JSON: return splice_values(std::get<ContentJSON>(v_), offset);
    case ContentRef::Any: return splice_values(std::get<ContentAny>(v_), offset);
    default: assert(false && "content kind cannot be split"); return Content();
  }
}

bool Content::merge_with(Content& right) {
  if (v_.index() != right.v_.index()) return false;
  switch (ref()) {
    case ContentRef::Deleted:
      std::get<ContentDeleted>(v_).len += std::get<ContentDeleted>(right.v_).len;
      return true;
    case ContentRef::String: {
      auto& l = std::get<ContentString>(v_);
      auto& r = std::get<ContentString>(right.v_);
      l.utf8 += r.utf8;
      l.utf16_len += r.utf16_len;
      return true;
    }
    case ContentRef::JSON: {
      auto& l = std::get<ContentJSON>(v_).values;
      auto& r = std::get<ContentJSON>(right.v_).values;
      l.insert(l.end(), std::make_move_iterator(r.begin()), std::make_move_iterator(r.end()));
      return true;
    }
    case ContentRef::Any: {
      auto& l = std::get<ContentAny>(v_).values;
      auto& r = std::get<ContentAny>(right.v_).values;
      l.insert(l.end(), std::make_move_iterator(r.begin()), std::make_move_iterator(r.end()));
      return true;
    }
    default: return false;
  }
}

void Content::write(UpdateEncoder& enc, uint64_t offset) const {
  switch (ref()) {
    case ContentRef::Deleted: enc.write_len(std::get<ContentDeleted>(v_).len - offset); break;
    case ContentRef::JSON: {
      const auto& vs = std::get<ContentJSON>(v_).values;
      enc.write_len(vs.size() - offset);
      for (size_t i = offset; i < vs.size(); ++i) {
        enc.write_string(vs[i].is_undefined() ? std::string("undefined") : js_stringify(vs[i]));
      }
      break;
    }
    case ContentRef::Binary: enc.write_buf(std::get<ContentBinary>(v_).bytes); break;
    case ContentRef::String: {
      const auto& s = std::get<ContentString>(v_);
      if (offset == 0) {
        enc.write_string(s.utf8);
      } else {
        // Writing from inside a surrogate pair yields U+FFFD for the orphaned half, as the
        // UTF-8 encoding of a JS string slice with a lone surrogate does.
        bool split_pair = false;
        size_t at = string_offset(s, offset, &split_pair);
        if (split_pair) {
          enc.write_string(std::string(kReplacement) + s.utf8.substr(at + 4));
        } else {
          enc.write_string(std::string_view(s.utf8).substr(at));
        }
      }
      break;
    }
    case ContentRef::Embed: enc.write_json(*std::get<ContentEmbed>(v_).value); break;
    case ContentRef::Format: {
      const auto& f = *std::get<ContentFormat>(v_).data;
      enc.write_key(f.key);
      enc.write_json(f.value);
      break;
    }
    case ContentRef::Type: std::get<ContentType>(v_).type->write_type_ref(enc); break;
    case ContentRef::Any: {
      const auto& vs = std::get<ContentAny>(v_).values;
      enc.write_len(vs.size() - offset);
      for (size_t i = offset; i < vs.size(); ++i) enc.write_any(vs[i]);
      break;
    }
    case ContentRef::Doc: {
      const auto& d = *std::get<ContentDoc>(v_).data;
      enc.write_string(d.guid);
      enc.write_any(d.opts);
      break;
    }
    default: break;
  }
}

Content Content::copy() const {
  switch (ref()) {
    case ContentRef::Deleted: return Content::Deleted(std::get<ContentDeleted>(v_).len);
    case ContentRef::JSON: return Content(ContentJSON{std::get<ContentJSON>(v_).values});
    case ContentRef::Binary: return Content(ContentBinary{std::get<ContentBinary>(v_).bytes});
    case ContentRef::String: {
      const auto& s = std::get<ContentString>(v_);
      return Content(ContentString{s.utf8, s.utf16_len});
    }
    case ContentRef::Embed: return Content::Embed(*std::get<ContentEmbed>(v_).value);
    case ContentRef::Format: {
      const auto& f = *std::get<ContentFormat>(v_).data;
      return Content::Format(f.key, f.value);
    }
    case ContentRef::Type: return Content::OfType(std::get<ContentType>(v_).type->copy_empty());
    case ContentRef::Any: return Content(ContentAny{std::get<ContentAny>(v_).values});
    default: {
      const auto& d = *std::get<ContentDoc>(v_).data;
      return Content(ContentDoc{std::make_unique<ContentDoc::Data>(ContentDoc::Data{d.guid, d.opts})});
    }
  }
}

namespace {
// Every element of a content array needs at least one byte of input: bound counts by it.
uint64_t checked_count(UpdateDecoder& dec, uint64_t n, const char* what) {
  if (n > dec.rest().remaining()) {
    dec.rest().fail(std::string("implausible ") + what + " count " + std::to_string(n));
  }
  return n;
}
}  // namespace

Content read_content(UpdateDecoder& dec, uint8_t info) {
  switch (static_cast<ContentRef>(info & 0x1F)) {
    case ContentRef::Deleted: {
      uint64_t len = dec.read_len();
      if (len == 0) dec.rest().fail("deleted content of length 0");
      return Content::Deleted(len);
    }
    case ContentRef::JSON: {
      // Each value is a non-empty JSON text, so a hostile count fails on its first bad value.
      uint64_t n = dec.read_len();
      ContentJSON c;
      for (uint64_t i = 0; i < n; ++i) {
        std::string s = dec.read_string();
        if (s == "undefined") {
          c.values.push_back(Any::Undefined());
        } else {
          auto parsed = js_parse(s);
          if (!parsed) dec.rest().fail("bad JSON content: " + parsed.error());
          c.values.push_back(std::move(parsed.value()));
        }
      }
      if (n == 0) dec.rest().fail("empty JSON content");
      return Content(std::move(c));
    }
    case ContentRef::Binary: return Content(ContentBinary{dec.read_buf()});
    case ContentRef::String: {
      Content c = Content::String(dec.read_string());
      if (c.length() == 0) dec.rest().fail("empty string content");
      return c;
    }
    case ContentRef::Embed: return Content::Embed(dec.read_json());
    case ContentRef::Format: {
      std::string key = dec.read_key();
      return Content::Format(std::move(key), dec.read_json());
    }
    case ContentRef::Type: return Content::OfType(read_type_ref(dec));
    case ContentRef::Any: {
      uint64_t n = checked_count(dec, dec.read_len(), "Any content");
      if (n == 0) dec.rest().fail("empty Any content");
      ContentAny c;
      c.values.reserve(n);
      for (uint64_t i = 0; i < n; ++i) c.values.push_back(dec.read_any());
      return Content(std::move(c));
    }
    case ContentRef::Doc: {
      std::string guid = dec.read_string();
      Any opts = dec.read_any();
      return Content(ContentDoc{std::make_unique<ContentDoc::Data>(
          ContentDoc::Data{std::move(guid), std::move(opts)})});
    }
    default:
      dec.rest().fail("unknown content ref " + std::to_string(info & 0x1F));
  }
}

}  // namespace tandem::crdt
