#include "server/routes.h"

#include <boost/url/parse.hpp>

#include "server/rest_api.h"
#include "server/static_files.h"

namespace tandem::server {

namespace {

class AppRouter final : public Router {
 public:
  explicit AppRouter(ServerContext& ctx) : ctx_(ctx), api_(ctx), files_(ctx.config.web_root) {}

  void handle(Request req, Respond respond) override {
    auto url = boost::urls::parse_origin_form(req.target());
    if (!url) {
      ctx_.metrics.reject(Rejection::kBadRequest);
      return respond(error_response(req, http::status::bad_request, "bad_request", "malformed request target"));
    }
    std::string path = url->path();
    if (path == "/healthz") {
      auto res = make_response(req, http::status::ok, "ok\n", "text/plain");
      res.set(http::field::cache_control, "no-store");
      return respond(std::move(res));
    }
    if (path == "/readyz") {
      bool ready = !ctx_.stopping.load();
      auto res = make_response(req, ready ? http::status::ok : http::status::service_unavailable,
                               ready ? "ready\n" : "stopping\n", "text/plain");
      res.set(http::field::cache_control, "no-store");
      return respond(std::move(res));
    }
    if (path == "/metrics") {
      auto res = make_response(req, http::status::ok, ctx_.metrics.render(), "text/plain; version=0.0.4");
      res.set(http::field::cache_control, "no-store");
      return respond(std::move(res));
    }
    if (path == "/api" || path.rfind("/api/", 0) == 0) return api_.handle(std::move(req), std::move(respond));
    if (auto res = files_.serve(req)) return respond(std::move(*res));
    respond(error_response(req, http::status::not_found, "not_found", "no such path: " + path));
  }

 private:
  ServerContext& ctx_;
  RestApi api_;
  StaticFiles files_;
};

}  // namespace

std::unique_ptr<Router> make_router(ServerContext& ctx) { return std::make_unique<AppRouter>(ctx); }

}  // namespace tandem::server
