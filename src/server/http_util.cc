#include "server/http_util.h"

#include <boost/json/serialize.hpp>

namespace tandem::server {

Response make_response(const Request& req, http::status status, std::string body, std::string_view content_type) {
  Response res{status, req.version()};
  res.set(http::field::server, "tandemd");
  res.set(http::field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_response(const Request& req, http::status status, const boost::json::value& body) {
  Response res = make_response(req, status, boost::json::serialize(body), "application/json");
  res.set(http::field::cache_control, "no-store");
  return res;
}

Response error_response(const Request& req, http::status status, std::string_view code, std::string_view message) {
  boost::json::object err{{"code", code}, {"message", message}};
  return json_response(req, status, boost::json::object{{"error", std::move(err)}});
}

}  // namespace tandem::server
