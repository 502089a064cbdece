// render_json (export.h): Node.toJSON through JSON.stringify (crdt/js_json.h), so key order,
// number and string formatting are exactly JavaScript's.
#include "convert/export.h"
#include "crdt/js_json.h"

namespace tandem::convert {

std::string render_json(const PmNode& doc) {
  if (doc.content.empty()) {
    // The editor never shows a document without a block: TipTap opens an empty fragment as
    // one empty paragraph (and writes that paragraph back).
    PmNode shown = doc;
    shown.content.push_back(PmNode::Block("paragraph"));
    return crdt::js_stringify(to_prosemirror_json(shown));
  }
  return crdt::js_stringify(to_prosemirror_json(doc));
}

}  // namespace tandem::convert
