// Paging of DocumentStore::list_documents, shared by the backends: the opaque cursor (the
// last document of a page, "<updated_ms>:<id>") and the page size limit.
#pragma once

#include <cstddef>
#include <string>

#include "common/status.h"
#include "storage/document_store.h"

namespace tandem::storage {

//! Most documents one page holds, whatever ListOptions::limit asks (0 asks for the default).
inline constexpr size_t kMaxListLimit = 1000;
inline constexpr size_t kDefaultListLimit = 50;
size_t clamp_list_limit(size_t requested);

//! The position of one document in the listing order (updated_ms descending, then id).
struct ListCursor {
  TimeMs updated_ms = 0;
  DocId id;
  //! Whether a document with (updated_ms, id) comes after this cursor.
  bool before(TimeMs other_updated, const DocId& other_id) const {
    return other_updated < updated_ms || (other_updated == updated_ms && other_id > id);
  }
};

std::string encode_list_cursor(const DocumentMeta& last);
//! An empty string is "from the start" (nullopt); anything else not made by encode is an error.
Result<std::optional<ListCursor>> decode_list_cursor(const std::string& cursor);

}  // namespace tandem::storage
