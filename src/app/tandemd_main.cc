// tandemd: the Tandem collaboration server (see README.md and docs/operations.md).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "server/config.h"
#include "server/server.h"

namespace {

void setup_logging(const tandem::server::ServerConfig& config) {
  auto logger = spdlog::stderr_color_mt("tandemd");
  if (config.log_format == "json") {
    // One JSON object per line; %v is the message, which never holds a double quote unescaped
    // because the server's messages are written without them.
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":"%v"})");
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  }
  logger->set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
  auto outcome = tandem::server::load_config(argc, argv, tandem::server::process_environment());
  if (!outcome.config) return outcome.exit_code;
  setup_logging(*outcome.config);
  auto server = tandem::server::Server::create(*outcome.config);
  if (!server) {
    spdlog::error("cannot start: {}", server.error());
    return 1;
  }
  server.value()->start();
  server.value()->run_until_stopped();
  return 0;
}
