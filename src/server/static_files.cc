#include "server/static_files.h"

#include <boost/url/parse.hpp>
#include <cctype>
#include <fstream>
#include <sstream>

namespace tandem::server {

namespace {

std::string_view mime_type(const std::string& ext) {
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".wasm") return "application/wasm";
  return "application/octet-stream";
}

std::optional<std::string> read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A strong ETag from the content (FNV-1a 64: cheap, and only compared for equality).
std::string etag_of(const std::string& body) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "\"%016llx-%zx\"", static_cast<unsigned long long>(h), body.size());
  return buf;
}

}  // namespace

bool StaticFiles::is_content_hashed(std::string_view name) {
  // name-HASH.ext or name.HASH.ext, HASH of 8+ characters [A-Za-z0-9_] with a digit in it.
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string_view stem = name.substr(0, dot);
  size_t sep = stem.find_last_of("-.");
  if (sep == std::string_view::npos) return false;
  std::string_view hash = stem.substr(sep + 1);
  if (hash.size() < 8) return false;
  bool digit = false;
  for (char c : hash) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    digit = digit || std::isdigit(static_cast<unsigned char>(c));
  }
  return digit;
}

std::optional<Response> StaticFiles::serve(const Request& req) const {
  if (req.method() != http::verb::get && req.method() != http::verb::head) return std::nullopt;
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) return error_response(req, http::status::bad_request, "bad_request", "malformed request target");
  std::string path = url->path();  // percent-decoded
  if (path.rfind("/api/", 0) == 0 || path == "/api" || path.rfind("/ws/", 0) == 0) return std::nullopt;
  std::filesystem::path rel = std::filesystem::path(path).relative_path().lexically_normal();
  for (const auto& part : rel) {
    if (part == "..") return error_response(req, http::status::bad_request, "bad_request", "path escapes the web root");
  }
  std::filesystem::path file = root_ / rel;
  std::error_code ec;
  bool is_file = std::filesystem::is_regular_file(file, ec);
  if (!is_file && std::filesystem::is_directory(file, ec)) {
    file /= "index.html";
    is_file = std::filesystem::is_regular_file(file, ec);
  }
  bool fallback = false;
  if (!is_file) {
    if (rel.has_extension()) {
      return error_response(req, http::status::not_found, "not_found", "no such file: " + path);
    }
    file = root_ / "index.html";  // a client-side route
    fallback = true;
  }
  auto body = read_all(file);
  if (!body) return error_response(req, http::status::not_found, "not_found", "no web client at " + root_.string());
  std::string ext = file.extension().string();
  bool immutable = !fallback && is_content_hashed(file.filename().string());
  std::string etag = etag_of(*body);
  if (!immutable && req[http::field::if_none_match] == etag) {
    Response res{http::status::not_modified, req.version()};
    res.set(http::field::etag, etag);
    res.set(http::field::cache_control, "no-cache");
    res.keep_alive(req.keep_alive());
    return res;
  }
  Response res = make_response(req, http::status::ok, std::move(*body), mime_type(ext));
  if (immutable) {
    res.set(http::field::cache_control, "public, max-age=31536000, immutable");
  } else {
    res.set(http::field::cache_control, "no-cache");
    res.set(http::field::etag, etag);
  }
  res.set("X-Content-Type-Options", "nosniff");
  if (req.method() == http::verb::head) {
    size_t n = res.body().size();
    res.body().clear();
    res.content_length(n);
  }
  return res;
}

}  // namespace tandem::server
