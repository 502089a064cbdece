// Exporting a document as HTML, Markdown, plain text, JSON or a Yjs update — what
// `GET /api/docs/<id>/export?format=...` returns. The formats, and how documents that are not
// in the editor's layout are exported, are specified in docs/api.md ("Export formats").
// Functions only; the Doc is read, never changed, and belongs to the calling thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "convert/prosemirror_model.h"
#include "crdt/doc.h"

namespace tandem::convert {

enum class ExportFormat { Html, Markdown, Text, Json, Yjs };

//! "html", "markdown" (or "md"), "text" (or "txt"), "json", "yjs"; nullopt for anything else.
std::optional<ExportFormat> parse_export_format(std::string_view name);
//! The Content-Type of a format ("text/html; charset=utf-8", ...).
std::string_view export_content_type(ExportFormat format);

struct ExportOptions {
  //! The XmlFragment that holds the editor's document. When the doc has no such root with XML
  //! content, the first root that has XML content is used instead.
  std::string fragment = "default";
};

//! How a document is laid out, as export_document sees it.
enum class DocLayout {
  Empty,        // no content at all: exported as an empty editor document
  ProseMirror,  // a y-prosemirror fragment
  Text,         // no XML content, but a root Y.Text
  Other,        // only maps/arrays: JSON and Yjs only
};
DocLayout detect_layout(const crdt::Doc& doc, const ExportOptions& options = {});

//! The document in `format` (bytes of a v1 update for Yjs). Fails only for a document of
//! layout Other asked for as HTML, Markdown or text.
Result<std::string> export_document(const crdt::Doc& doc, ExportFormat format,
                                    const ExportOptions& options = {});

// --- Renderers of a ProseMirror tree (one file each) ----------------------------------------

//! HTML fragment (no <html>/<body>), as TipTap's getHTML renders the editor's nodes and marks;
//! every text and attribute escaped, links only with safe hrefs (is_safe_href), unknown nodes
//! rendered by their children after a comment naming them.
std::string render_html(const PmNode& doc);
//! CommonMark that the Markdown importer reads back into the same tree for the editor's
//! subset (strike and underline as the inline HTML <s>/<u>, which the importer maps back).
std::string render_markdown(const PmNode& doc);
//! Plain text: blocks separated by a blank line, list items one per line with "- " or "N. ",
//! quotes prefixed with "> ", hard breaks as newlines; ends with a newline unless empty.
std::string render_text(const PmNode& doc);
//! ProseMirror JSON (Node.toJSON of the document; what TipTap's getJSON() returns), compact.
//! An empty document is given the empty paragraph the editor shows.
std::string render_json(const PmNode& doc);

}  // namespace tandem::convert
