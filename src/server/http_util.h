// Helpers for HTTP responses: JSON bodies, the API's error shape
// {"error":{"code":"...","message":"..."}}, and the caching header every API and WebSocket
// response carries (Cache-Control: no-store). docs/api.md describes the error codes.
#pragma once

#include <boost/beast/http.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace tandem::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

//! A response to `req` (same version and keep-alive) with `body` of `content_type`.
Response make_response(const Request& req, http::status status, std::string body, std::string_view content_type);
//! A JSON response, Cache-Control: no-store.
Response json_response(const Request& req, http::status status, const boost::json::value& body);
//! The API's error shape, with a stable machine-readable `code` and a message for people.
Response error_response(const Request& req, http::status status, std::string_view code, std::string_view message);

}  // namespace tandem::server
