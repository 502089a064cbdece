// Test support for text_test.cc and xml_test.cc: replays scripted sessions recorded from
// yjs 13.6.33 (local ops, syncs between docs) and checks that every local transaction emits the
// update bytes yjs emitted, and that the final state matches. Test-only; header-only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "crdt/doc.h"
#include "crdt/js_json.h"
#include "crdt/list_ops.h"
#include "crdt/text.h"
#include "crdt/xml.h"

namespace tandem::crdt::golden_session {

struct Op {
  const char* kind;
  int doc;
  const char* path;
  uint64_t index;  // also: the source doc of a sync
  uint64_t len;
  const char* text;   // text, element name, attribute key, or the sync update (hex)
  const char* json;   // attributes, embed or attribute value; empty: undefined
  const char* json2;  // attributes of an embed
  const char* expect;  // updates emitted by local transactions (hex, space-separated)
};

struct Final {
  const char* text;
  const char* delta;
  const char* xml;
  const char* state;
};

struct Session {
  const char* name;
  std::span<const uint64_t> clients;
  std::span<const Op> ops;
  std::span<const Final> finals;
};

inline std::string to_hex(std::span<const uint8_t> b) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (uint8_t c : b) {
    s += kDigits[c >> 4];
    s += kDigits[c & 15];
  }
  return s;
}

inline std::vector<uint8_t> from_hex(const std::string& s) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < s.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
  }
  return out;
}

inline Any parse(const char* json) {
  auto r = js_parse(json);
  EXPECT_TRUE(r.ok()) << json;
  return r.ok() ? r.value() : Any();
}

inline std::string delta_json(const Type* text) {
  AnyArray ops;
  for (const DeltaOp& op : text_to_delta(text)) {
    AnyObject o;
    o.emplace_back("insert", op.insert);
    if (!op.attributes.empty()) o.emplace_back("attributes", Any::Object(op.attributes));
    ops.push_back(Any::Object(std::move(o)));
  }
  return js_stringify(Any::Array(std::move(ops)));
}

inline Type* resolve(Doc& doc, const std::string& path) {
  Type* t = path[0] == 't' ? doc.get("t", TypeKind::Text) : doc.get("x", TypeKind::XmlFragment);
  size_t pos = 1;
  while (pos < path.size()) {
    size_t next = path.find('/', pos + 1);
    size_t i = std::stoul(path.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1));
    std::vector<Type*> children = xml_children(t);
    if (i >= children.size()) return nullptr;
    t = children[i];
    pos = next == std::string::npos ? path.size() : next;
  }
  return t;
}

inline void run_op(std::vector<std::unique_ptr<Doc>>& docs, const Op& op) {
  Doc& doc = *docs[static_cast<size_t>(op.doc)];
  const std::string kind = op.kind;
  if (kind == "sync") {
    Doc& src = *docs[op.index];
    std::vector<uint8_t> update = from_hex(op.text);
    EXPECT_EQ(to_hex(src.encode_state_as_update(doc.state_vector())), op.text)
        << "encode_state_as_update differs from yjs";
    Status st = doc.apply_update(update);
    ASSERT_TRUE(st.ok()) << st.message() << "\nstate of the receiving doc: "
                         << to_hex(doc.encode_state_as_update());
    return;
  }
  Type* t = *op.path ? resolve(doc, op.path) : nullptr;
  ASSERT_NE(t, nullptr) << op.path;
  Status st;
  doc.transact([&](Transaction& tr) {
    if (kind == "insert") {
      if (!*op.json) {
        st = text_insert(tr, t, op.index, op.text);
      } else {
        Attributes a = parse(op.json).object();
        st = text_insert(tr, t, op.index, op.text, &a);
      }
    } else if (kind == "delete") {
      st = text_delete(tr, t, op.index, op.len);
    } else if (kind == "format") {
      st = text_format(tr, t, op.index, op.len, parse(op.json).object());
    } else if (kind == "embed") {
      if (!*op.json2) {
        st = text_insert_embed(tr, t, op.index, parse(op.json));
      } else {
        Attributes a = parse(op.json2).object();
        st = text_insert_embed(tr, t, op.index, parse(op.json), &a);
      }
    } else if (kind == "xel") {
      auto r = xml_insert_element(tr, t, op.index, op.text);
      if (!r) st = r.status();
    } else if (kind == "xelattrs") {
      auto r = xml_insert_element(tr, t, op.index, op.text);
      if (!r) {
        st = r.status();
        return;
      }
      Any attrs = parse(op.json);
      for (const auto& [k, v] : attrs.object()) xml_set_attribute(tr, *r, k, v);
    } else if (kind == "xtext") {
      auto r = xml_insert_text(tr, t, op.index);
      if (!r) st = r.status();
    } else if (kind == "xtextinit") {
      auto r = xml_insert_text(tr, t, op.index);
      if (!r) {
        st = r.status();
        return;
      }
      st = text_insert(tr, *r, 0, op.text);
    } else if (kind == "xset") {
      xml_set_attribute(tr, t, op.text, parse(op.json));
    } else if (kind == "xrm") {
      xml_remove_attribute(tr, t, op.text);
    } else if (kind == "xdel") {
      st = xml_delete(tr, t, op.index, op.len);
    } else {
      st = Status::Error("unknown op " + kind);
    }
  });
  ASSERT_TRUE(st.ok()) << st.message();
}

inline void run_session(const Session& s) {
  SCOPED_TRACE(s.name);
  std::vector<std::unique_ptr<Doc>> docs;
  std::vector<std::string> emits;
  for (uint64_t id : s.clients) {
    DocOptions o;
    o.client_id = id;
    docs.push_back(std::make_unique<Doc>(o));
    docs.back()->get("t", TypeKind::Text);
    docs.back()->get("x", TypeKind::XmlFragment);
    docs.back()->on_update([&emits](std::span<const uint8_t> u, Origin origin, Transaction&) {
      if (origin != Origin::Remote) emits.push_back(to_hex(u));
    });
  }
  for (size_t i = 0; i < s.ops.size(); ++i) {
    const Op& op = s.ops[i];
    SCOPED_TRACE("op " + std::to_string(i) + " " + op.kind + " doc " + std::to_string(op.doc) +
                 " index " + std::to_string(op.index) + " len " + std::to_string(op.len) + " " +
                 op.text + " " + op.json);
    std::vector<std::string> expect;
    std::istringstream in(op.expect);
    for (std::string u; in >> u;) expect.push_back(u);
    emits.clear();
    run_op(docs, op);
    if (testing::Test::HasFatalFailure()) return;
    EXPECT_EQ(emits, expect);
    for (auto& d : docs) {
      Status st = d->store().check_integrity();
      ASSERT_TRUE(st.ok()) << st.message();
    }
    if (testing::Test::HasFailure()) return;  // later ops would only repeat the divergence
  }
  ASSERT_EQ(docs.size(), s.finals.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    SCOPED_TRACE("final doc " + std::to_string(i));
    Doc& d = *docs[i];
    const Final& f = s.finals[i];
    EXPECT_EQ(text_to_string(d.get("t", TypeKind::Text)), f.text);
    EXPECT_EQ(d.get("t", TypeKind::Text)->to_json().str, f.text);
    EXPECT_EQ(d.get("t", TypeKind::Text)->to_string(), f.text);
    EXPECT_EQ(delta_json(d.get("t", TypeKind::Text)), f.delta);
    EXPECT_EQ(xml_to_string(d.get("x", TypeKind::XmlFragment)), f.xml);
    EXPECT_EQ(d.get("x", TypeKind::XmlFragment)->to_json().str, f.xml);
    EXPECT_EQ(to_hex(d.encode_state_as_update()), f.state);
  }
}

}  // namespace tandem::crdt::golden_session
