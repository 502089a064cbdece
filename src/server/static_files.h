// StaticFiles: serves the web client from its folder. Caching: files whose name carries a
// content hash (Vite's `assets/name-HASH.ext`) are `public, max-age=31536000, immutable`;
// everything else (index.html first) is `no-cache` with an ETag, answered 304 when unchanged.
// Paths that are not files fall back to index.html (the client routes them), except under
// /api and /ws. Thread-safe: it holds only its root; each request reads the file afresh.
#pragma once

#include <filesystem>
#include <optional>

#include "server/http_util.h"

namespace tandem::server {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}
  //! The response for a GET/HEAD of `req`, or nullopt if this is not a static path.
  std::optional<Response> serve(const Request& req) const;
  //! Whether a file name carries a content hash (e.g. index-3f9a1c2b.js).
  static bool is_content_hashed(std::string_view filename);

 private:
  std::filesystem::path root_;
};

}  // namespace tandem::server
