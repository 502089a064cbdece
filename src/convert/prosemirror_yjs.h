// The y-prosemirror layout of a ProseMirror document in Yjs, read and written exactly as
// y-prosemirror 1.3.7 (and TipTap 3's fork @tiptap/y-tiptap 3.0.9) does it:
//   - the document is a Y.XmlFragment (TipTap's Collaboration extension names it "default");
//   - every non-text node is a Y.XmlElement whose nodeName is the node type name, with one
//     attribute per node attribute whose value is not null (createTypeFromElementNode);
//   - each run of adjacent text nodes is one Y.XmlText; a text node is a delta insert whose
//     formatting attributes are its marks: key = mark type name (for marks that may overlap,
//     i.e. do not exclude themselves, `name--<8 base64 chars of a hash>`), value = the mark's
//     attrs object (`{}` for bold), written with Y.Text.applyDelta (createTypeFromTextNodes,
//     marksToAttributes);
//   - reading gives each element schema.node(nodeName, attributes) (defaults filled in,
//     unknown attributes dropped), each delta insert schema.text(insert, marks) with the hash
//     suffix stripped (yattr2markname), adjacent equal-marked text joined (Fragment.fromArray).
// See docs/api.md, "Export formats". Functions only; a Doc belongs to one thread.
#pragma once

#include <string>

#include "common/status.h"
#include "convert/prosemirror_model.h"
#include "crdt/doc.h"
#include "crdt/type.h"

namespace tandem::convert {

//! TipTap's Collaboration extension's fragment name (its `field` option).
inline constexpr const char* kDefaultFragment = "default";

//! Whether `root` holds y-prosemirror content: an XmlFragment, or a root not yet given a kind
//! (a Doc loaded from an update) whose children are XmlElements or XmlTexts.
bool holds_xml_content(const crdt::Type* root);

//! Reads the fragment (or element) `fragment` into a "doc" node as y-prosemirror's
//! yXmlFragmentToProseMirrorRootNode does, with these differences, which keep an export
//! lenient where y-prosemirror would throw and delete content: unknown node types are kept with
//! their raw attributes, unknown marks and embeds are dropped, XmlText directly in the fragment
//! is read as text of the doc, elements nested deeper than kMaxDepth are cut. The tree is not
//! normalized: what is stored is what is read.
PmNode read_prosemirror(const crdt::Type* fragment);

//! Writes `doc`'s children at the end of `fragment`, as y-prosemirror's
//! prosemirrorToYXmlFragment writes them into an empty fragment (same items in the same order,
//! so the same update bytes from the same client). Marks are written under their plain names
//! (no mark of the editor's schema overlaps). REQUIRES: doc normalized (normalize_document);
//! `t` a transaction of fragment's Doc.
Status write_prosemirror(crdt::Transaction& t, crdt::Type* fragment, const PmNode& doc);

}  // namespace tandem::convert
