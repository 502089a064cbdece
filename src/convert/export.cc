// export_document (export.h): finds the layout of a document and renders it.
//   ProseMirror: the fragment read by read_prosemirror, rendered in the format asked for.
//   Text (a root Y.Text, no XML): `text` is the text itself; html and markdown render it as
//   paragraphs (split at blank lines, single newlines as hard breaks); json is the generic one.
//   Other: json is every root's toJSON ({"name": value, ...}, what Yjs's doc.toJSON() gives
//   for typed roots); html, markdown and text are an error.
//   Yjs, any layout: the document's state as a v1 update (Y.encodeStateAsUpdate).
#include <string>
#include <vector>

#include "convert/export.h"
#include "convert/prosemirror_yjs.h"
#include "crdt/js_json.h"
#include "crdt/text.h"

namespace tandem::convert {

using crdt::Type;
using crdt::TypeKind;

namespace {

bool is_text_root(const Type* root) {
  if (root->kind() == TypeKind::Text || root->kind() == TypeKind::XmlText) return true;
  if (root->kind() != TypeKind::Unknown) return false;
  for (const crdt::Item* n = root->start(); n != nullptr; n = n->right) {
    crdt::ContentRef r = n->content.ref();
    if (r == crdt::ContentRef::String || r == crdt::ContentRef::Format) return true;
  }
  return false;
}

bool has_content(const Type* root) {
  if (!root->map_entries().empty()) {
    for (const auto& [key, item] : root->map_entries()) {
      if (!item->deleted()) return true;
    }
  }
  for (const crdt::Item* n = root->start(); n != nullptr; n = n->right) {
    if (!n->deleted() && n->countable()) return true;
  }
  return false;
}

const Type* prosemirror_root(const crdt::Doc& doc, const ExportOptions& options) {
  for (const auto& [name, root] : doc.roots()) {
    if (name == options.fragment && holds_xml_content(root.get())) return root.get();
  }
  for (const auto& [name, root] : doc.roots()) {
    if (holds_xml_content(root.get()) && has_content(root.get())) return root.get();
  }
  return nullptr;
}

const Type* text_root(const crdt::Doc& doc) {
  for (const auto& [name, root] : doc.roots()) {
    if (is_text_root(root.get())) return root.get();
  }
  return nullptr;
}

// Plain text as a tree: paragraphs at blank lines, hard breaks at single newlines.
PmNode text_as_document(const std::string& text) {
  PmNode doc = PmNode::Block("doc");
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find("\n\n", pos);
    std::string para = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text.size() : end + 2;
    while (pos < text.size() && text[pos] == '\n') ++pos;
    PmNode p = PmNode::Block("paragraph");
    size_t start = 0;
    while (true) {
      size_t nl = para.find('\n', start);
      std::string line = para.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (!line.empty()) p.content.push_back(PmNode::Text(line));
      if (nl == std::string::npos) break;
      p.content.push_back(PmNode::Block("hardBreak"));
      start = nl + 1;
    }
    doc.content.push_back(std::move(p));
  }
  return doc;
}

std::string generic_json(const crdt::Doc& doc) {
  crdt::AnyObject roots;
  for (const auto& [name, root] : doc.roots()) roots.emplace_back(name, root->to_json());
  return crdt::js_stringify(crdt::Any::Object(std::move(roots)));
}

std::string render(const PmNode& tree, ExportFormat format) {
  switch (format) {
    case ExportFormat::Html: return render_html(tree);
    case ExportFormat::Markdown: return render_markdown(tree);
    case ExportFormat::Text: return render_text(tree);
    case ExportFormat::Json: return render_json(tree);
    case ExportFormat::Yjs: break;
  }
  return {};
}

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "html") return ExportFormat::Html;
  if (name == "markdown" || name == "md") return ExportFormat::Markdown;
  if (name == "text" || name == "txt") return ExportFormat::Text;
  if (name == "json") return ExportFormat::Json;
  if (name == "yjs") return ExportFormat::Yjs;
  return std::nullopt;
}

std::string_view export_content_type(ExportFormat format) {
  switch (format) {
    case ExportFormat::Html: return "text/html; charset=utf-8";
    case ExportFormat::Markdown: return "text/markdown; charset=utf-8";
    case ExportFormat::Text: return "text/plain; charset=utf-8";
    case ExportFormat::Json: return "application/json";
    case ExportFormat::Yjs: return "application/octet-stream";
  }
  return "application/octet-stream";
}

DocLayout detect_layout(const crdt::Doc& doc, const ExportOptions& options) {
  if (prosemirror_root(doc, options) != nullptr) return DocLayout::ProseMirror;
  if (text_root(doc) != nullptr) return DocLayout::Text;
  for (const auto& [name, root] : doc.roots()) {
    if (has_content(root.get())) return DocLayout::Other;
  }
  return DocLayout::Empty;
}

Result<std::string> export_document(const crdt::Doc& doc, ExportFormat format,
                                    const ExportOptions& options) {
  if (format == ExportFormat::Yjs) {
    std::vector<uint8_t> update = doc.encode_state_as_update();
    return std::string(update.begin(), update.end());
  }
  switch (detect_layout(doc, options)) {
    case DocLayout::ProseMirror:
      return render(read_prosemirror(prosemirror_root(doc, options)), format);
    case DocLayout::Empty: return render(PmNode::Block("doc"), format);
    case DocLayout::Text: {
      if (format == ExportFormat::Json) return generic_json(doc);
      std::string text = crdt::text_to_string(text_root(doc));
      if (format == ExportFormat::Text) return text;
      return render(text_as_document(text), format);
    }
    case DocLayout::Other:
      if (format == ExportFormat::Json) return generic_json(doc);
      return Status::Error(
          "export: the document holds no text (only maps or arrays); export it as json or yjs");
  }
  return Status::Error("export: unknown layout");
}

}  // namespace tandem::convert
