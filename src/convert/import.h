// Creating a document from Markdown (parsed by libcmark) or HTML (parsed by gumbo): the input
// becomes a ProseMirror tree of the editor's schema (prosemirror_model.h), which is written
// into the Doc's fragment exactly as y-prosemirror writes it (prosemirror_yjs.h), so that
// TipTap opens it as it is. What each construct becomes: docs/api.md, "Import".
// Functions only; the Doc belongs to the calling thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "convert/prosemirror_model.h"
#include "crdt/doc.h"

namespace tandem::convert {

//! Largest Markdown or HTML input accepted: the parsers' trees take up to ~100 bytes per input
//! byte for hostile input (one element per 3 bytes), so 4 MiB bounds a parse to a few hundred
//! MB; a 4 MiB document is some 1,500 pages of text.
inline constexpr size_t kMaxImportBytes = 4u << 20;

//! Deepest element nesting an HTML input may have (estimated before parsing, see
//! html_import.cc): gumbo's tree building is quadratic in it. 512 is five times kMaxDepth, and
//! parses in about a millisecond.
inline constexpr size_t kMaxHtmlNesting = 512;

struct ImportOptions {
  //! The XmlFragment to fill (TipTap's Collaboration `field`).
  std::string fragment = "default";
};

//! Parses CommonMark into a normalized "doc" tree. Errors: input too large or not UTF-8.
Result<PmNode> parse_markdown(std::string_view markdown);
//! Parses an HTML document or fragment into a normalized "doc" tree. Errors as above, and HTML
//! nested deeper than kMaxHtmlNesting.
Result<PmNode> parse_html(std::string_view html);

//! Writes the tree into `options.fragment` of `doc` in one transaction. Errors: the root exists
//! with another type, or already has content (import creates documents; it does not merge).
//! REQUIRES: tree normalized (as parse_markdown / parse_html return it).
Status import_prosemirror(crdt::Doc& doc, const PmNode& tree, const ImportOptions& options = {});

//! parse_markdown + import_prosemirror.
Status import_markdown(crdt::Doc& doc, std::string_view markdown, const ImportOptions& options = {});
//! parse_html + import_prosemirror.
Status import_html(crdt::Doc& doc, std::string_view html, const ImportOptions& options = {});

}  // namespace tandem::convert
