// ServerConfig: every setting of tandemd, and where each comes from. Precedence (highest
// first): command-line flags, the TOML file given with --config, TANDEM_* environment
// variables, built-in defaults. `tandemd --help` lists every setting with its default;
// docs/operations.md describes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/limits.h"
#include "storage/sqlite/sqlite_storage.h"

namespace tandem::server {

struct ServerConfig {
  // Network and files.
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; no authentication yet: loopback only
  std::string data_dir = "data";
  std::string web_root = "web/public";
  unsigned threads = 0;  // I/O threads; 0 = one per core
  // Storage.
  std::string sqlite_synchronous = "full";  // full (durable) | normal
  size_t sqlite_writer_cache_kib = storage::sqlite::SqliteOptions::kDefaultWriterCacheKib;
  size_t compact_log_entries = 1000;
  size_t compact_log_bytes = 1024 * 1024;
  double auto_version_interval_s = limits::kAutoVersionIntervalSeconds;
  double idle_unload_s = limits::kIdleUnloadSeconds;
  double hibernate_after_s = limits::kHibernateAfterSeconds;  // 0: never
  int upkeep_nice = limits::kUpkeepNice;  // nice increments; 0: the same priority as serving
  // Limits.
  size_t max_frame_bytes = limits::kMaxFrameBytes;
  size_t max_outgoing_frame_bytes = limits::kMaxOutgoingFrameBytes;
  size_t max_send_queue_bytes = limits::kMaxSendQueueBytes;
  double messages_per_second = limits::kMessagesPerSecond;
  double message_burst = limits::kMessageBurst;
  double bytes_per_second = limits::kBytesPerSecond;
  double byte_burst = limits::kByteBurst;
  size_t max_connections_per_ip = limits::kMaxConnectionsPerIp;
  size_t max_request_header_bytes = limits::kMaxRequestHeaderBytes;
  size_t max_request_body_bytes = limits::kMaxRequestBodyBytes;
  size_t max_uncommitted_bytes_per_doc = limits::kMaxUncommittedBytesPerDoc;
  size_t max_storage_backlog_bytes = limits::kMaxStorageBacklogBytes;
  double idle_timeout_s = limits::kIdleTimeoutSeconds;
  double shutdown_timeout_s = limits::kShutdownTimeoutSeconds;
  // Operations.
  std::string log_format = "text";  // text | json
  std::string log_level = "info";   // trace | debug | info | warn | error

  //! Host and port of `listen`.
  Result<std::pair<std::string, uint16_t>> listen_address() const;
};

//! What load_config decided: run with `config`, or exit with `exit_code` (after --help, or a
//! bad setting, whose message has been printed).
struct ConfigOutcome {
  std::optional<ServerConfig> config;
  int exit_code = 0;
};

//! Reads the settings from argv, the TOML file named by --config (or TANDEM_CONFIG), and
//! `env` (the TANDEM_* variables; pass the process environment). Prints help and errors.
ConfigOutcome load_config(int argc, const char* const* argv,
                          const std::map<std::string, std::string>& env);

//! The process environment as a map (for load_config).
std::map<std::string, std::string> process_environment();

}  // namespace tandem::server
