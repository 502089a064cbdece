// XML types: yjs's YXmlFragment, YXmlElement, YXmlText and YXmlHook (src/types/YXml*.js)
// over Type — children, attributes and the toString() that their toJSON() returns.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "crdt/any.h"
#include "crdt/transaction.h"
#include "crdt/type.h"

namespace tandem::crdt {

//! Inserts a new XmlElement `node_name` at `index` of a fragment or element.
Result<Type*> xml_insert_element(Transaction& t, Type* parent, uint64_t index,
                                 const std::string& node_name);
//! Inserts a new, empty XmlText at `index` of a fragment or element.
Result<Type*> xml_insert_text(Transaction& t, Type* parent, uint64_t index);
//! Deletes `length` children from `index`.
Status xml_delete(Transaction& t, Type* parent, uint64_t index, uint64_t length);
//! YXmlElement.setAttribute / removeAttribute / getAttribute (string values in yjs 13.6's
//! typings, any JSON value on the wire).
void xml_set_attribute(Transaction& t, Type* element, const std::string& key, Any value);
void xml_remove_attribute(Transaction& t, Type* element, const std::string& key);
std::optional<Any> xml_get_attribute(const Type* element, const std::string& key);
//! The live children of a fragment or element.
std::vector<Type*> xml_children(const Type* parent);
//! yjs toString() of XmlFragment (children concatenated), XmlElement (`<name a="v">…</name>`,
//! attributes sorted by key), XmlText (delta as nested formatting tags) and XmlHook. Types
//! nested deeper than kMaxReadNesting (type.h) read as "".
std::string xml_to_string(const Type* type);

}  // namespace tandem::crdt
