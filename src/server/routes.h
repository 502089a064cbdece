// The HTTP routes of tandemd: /healthz, /readyz, /metrics, the REST API under /api (rest_api.h)
// and the web client's static files for everything else.
#pragma once

#include <memory>

#include "server/http_session.h"
#include "server/server_context.h"

namespace tandem::server {

std::unique_ptr<Router> make_router(ServerContext& ctx);

}  // namespace tandem::server
