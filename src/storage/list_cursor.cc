#include "storage/list_cursor.h"

#include <charconv>

namespace tandem::storage {

size_t clamp_list_limit(size_t requested) {
  if (requested == 0) return kDefaultListLimit;
  return requested < kMaxListLimit ? requested : kMaxListLimit;
}

std::string encode_list_cursor(const DocumentMeta& last) {
  return std::to_string(last.updated_ms) + ":" + last.id;
}

Result<std::optional<ListCursor>> decode_list_cursor(const std::string& cursor) {
  if (cursor.empty()) return std::optional<ListCursor>();
  size_t colon = cursor.find(':');
  ListCursor c;
  const char* end = cursor.data() + (colon == std::string::npos ? cursor.size() : colon);
  auto [ptr, ec] = std::from_chars(cursor.data(), end, c.updated_ms);
  if (colon == std::string::npos || ec != std::errc() || ptr != end) {
    return Status::Error("list_documents: malformed cursor '" + cursor + "'");
  }
  c.id = cursor.substr(colon + 1);
  return std::optional<ListCursor>(std::move(c));
}

}  // namespace tandem::storage
