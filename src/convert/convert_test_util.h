// Test support for src/convert: building documents, hex, fixtures and one-line conversions.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/file_util.h"
#include "convert/export.h"
#include "convert/import.h"
#include "crdt/doc.h"
#include "crdt/hex_test_util.h"
#include "crdt/js_json.h"

namespace tandem::convert::test {

inline std::string fixtures_dir() { return std::string(TANDEM_SOURCE_DIR) + "/tests/fixtures/convert"; }

//! A fixture file parsed as JSON (test failure and Undefined when unreadable).
inline crdt::Any load_json(const std::string& path) {
  auto bytes = tandem::read_file(path);
  if (!bytes) {
    ADD_FAILURE() << bytes.error();
    return {};
  }
  auto v = crdt::js_parse(std::string(bytes->begin(), bytes->end()));
  if (!v) {
    ADD_FAILURE() << path << ": " << v.error();
    return {};
  }
  return *v;
}

inline const crdt::Any& member(const crdt::Any& o, std::string_view key) {
  static const crdt::Any kUndefined;
  if (o.kind != crdt::Any::Kind::Object) return kUndefined;
  for (const auto& kv : o.object()) {
    if (kv.first == key) return kv.second;
  }
  return kUndefined;
}

//! Exports `doc` in `format`; a failure is a test failure and "".
inline std::string exported(const crdt::Doc& doc, ExportFormat format) {
  auto r = export_document(doc, format);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? *r : std::string();
}

//! Markdown / HTML -> the ProseMirror JSON the importer builds.
inline std::string md_json(std::string_view md) {
  auto tree = parse_markdown(md);
  EXPECT_TRUE(tree.ok()) << (tree.ok() ? "" : tree.error());
  return tree.ok() ? render_json(*tree) : std::string();
}
inline std::string html_json(std::string_view html) {
  auto tree = parse_html(html);
  EXPECT_TRUE(tree.ok()) << (tree.ok() ? "" : tree.error());
  return tree.ok() ? render_json(*tree) : std::string();
}
//! Markdown / HTML imported into a fresh Doc, then exported in `format`.
inline std::string md_to(std::string_view md, ExportFormat format) {
  crdt::Doc doc;
  Status st = import_markdown(doc, md);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.message());
  return exported(doc, format);
}
inline std::string html_to(std::string_view html, ExportFormat format) {
  crdt::Doc doc;
  Status st = import_html(doc, html);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.message());
  return exported(doc, format);
}

//! A ProseMirror JSON document (as TipTap's getJSON gives it) -> tree, for the renderers.
inline PmNode tree_of_json(const crdt::Any& j);
inline std::vector<PmNode> content_of_json(const crdt::Any& arr) {
  std::vector<PmNode> out;
  if (arr.kind == crdt::Any::Kind::Array) {
    for (const crdt::Any& c : arr.array()) out.push_back(tree_of_json(c));
  }
  return out;
}
inline PmNode tree_of_json(const crdt::Any& j) {
  PmNode n;
  n.type = member(j, "type").str;
  if (member(j, "attrs").kind == crdt::Any::Kind::Object) n.attrs = member(j, "attrs").object();
  n.content = content_of_json(member(j, "content"));
  n.text = member(j, "text").str;
  if (member(j, "marks").kind == crdt::Any::Kind::Array) {
    for (const crdt::Any& m : member(j, "marks").array()) {
      PmMark mark;
      mark.type = member(m, "type").str;
      if (member(m, "attrs").kind == crdt::Any::Kind::Object) mark.attrs = member(m, "attrs").object();
      n.marks.push_back(std::move(mark));
    }
  }
  return n;
}
inline PmNode tree_of_json_text(std::string_view json) {
  auto v = crdt::js_parse(json);
  EXPECT_TRUE(v.ok()) << json;
  return v.ok() ? tree_of_json(*v) : PmNode::Block("doc");
}

}  // namespace tandem::convert::test
