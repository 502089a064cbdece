// import_prosemirror and the import entry points (import.h).
#include "convert/import.h"

#include "convert/prosemirror_yjs.h"
#include "crdt/lib0_utf8.h"
#include "crdt/xml.h"

namespace tandem::convert {

Status check_import_input(std::string_view input, std::string_view what) {
  if (input.size() > kMaxImportBytes) {
    return Status::Error(std::string(what) + " import: input of " + std::to_string(input.size()) +
                         " bytes exceeds the limit of " + std::to_string(kMaxImportBytes));
  }
  size_t bad = crdt::lib0::utf8_invalid_at(input);
  if (bad != input.size()) {
    return Status::Error(std::string(what) + " import: input is not valid UTF-8 (byte " +
                         std::to_string(bad) + ")");
  }
  return Status::Ok();
}

Status import_prosemirror(crdt::Doc& doc, const PmNode& tree, const ImportOptions& options) {
  crdt::Type* fragment = doc.get(options.fragment, crdt::TypeKind::XmlFragment);
  if (fragment == nullptr) {
    return Status::Error("import: root \"" + options.fragment + "\" exists and is not an XmlFragment");
  }
  if (!crdt::xml_children(fragment).empty() || fragment->length() != 0) {
    return Status::Error("import: fragment \"" + options.fragment + "\" is not empty");
  }
  Status status;
  doc.transact([&](crdt::Transaction& t) { status = write_prosemirror(t, fragment, tree); });
  return status;
}

Status import_markdown(crdt::Doc& doc, std::string_view markdown, const ImportOptions& options) {
  Result<PmNode> tree = parse_markdown(markdown);
  if (!tree) return tree.status();
  return import_prosemirror(doc, *tree, options);
}

Status import_html(crdt::Doc& doc, std::string_view html, const ImportOptions& options) {
  Result<PmNode> tree = parse_html(html);
  if (!tree) return tree.status();
  return import_prosemirror(doc, *tree, options);
}

}  // namespace tandem::convert
