// What the REST API does with a document's content: render it for export or a version view
// (html, markdown, text, json, yjs — src/convert does the ProseMirror layout), import
// Markdown/HTML as a new document's first update, and compute the edit that restores a
// version. Pure functions on bytes and Docs; callable from any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crdt/doc.h"

namespace tandem::server {

struct Rendered {
  std::string body;
  std::string content_type;
};

bool is_export_format(std::string_view format);
//! Renders a document state (Yjs update v1) as `format`.
Result<Rendered> render_document(std::span<const uint8_t> state, std::string_view format);
//! A new document's content from `source` in `format` ("markdown" or "html"): a Yjs update v1.
Result<std::vector<uint8_t>> import_document(std::string_view format, std::string_view source);
//! The update that makes `live`'s content equal to the version `version_state` (every root:
//! text, XML fragment, map, array), made as a new client's edit on a copy of `live` — so it is
//! an ordinary edit for collaborators, and restoring an older version undoes it. Empty if the
//! content is already equal.
Result<std::vector<uint8_t>> restore_update(const crdt::Doc& live, std::span<const uint8_t> version_state);

}  // namespace tandem::server
