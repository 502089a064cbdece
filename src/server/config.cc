#include "server/config.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <type_traits>
#include <iostream>
#include <toml++/toml.h>

extern char** environ;

namespace tandem::server {

namespace {

//! One setting: its name (TOML key; flag --name-with-dashes; env TANDEM_NAME), help text, and
//! how to read it from a string into a ServerConfig.
struct Setting {
  std::string name;
  std::string help;
  std::function<std::string(const ServerConfig&)> show;
  std::function<Status(ServerConfig&, const std::string&)> set;
};

Status parse_error(const std::string& name, const std::string& value, const char* what) {
  return Status::Error("setting " + name + "=\"" + value + "\": " + what);
}

template <class T>
Setting number(std::string name, std::string help, T ServerConfig::*field) {
  return Setting{
      name, std::move(help),
      [field](const ServerConfig& c) {
        if constexpr (std::is_floating_point_v<T>) {
          std::string s = std::to_string(c.*field);
          s.erase(s.find_last_not_of('0') + 1);
          if (!s.empty() && s.back() == '.') s.pop_back();
          return s;
        } else {
          return std::to_string(c.*field);
        }
      },
      [name, field](ServerConfig& c, const std::string& v) {
        T out{};
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
        if (ec != std::errc() || end != v.data() + v.size()) return parse_error(name, v, "not a number");
        if constexpr (std::is_signed_v<T>) {
          if (out < 0) return parse_error(name, v, "must not be negative");
        }
        c.*field = out;
        return Status::Ok();
      }};
}

Setting text(std::string name, std::string help, std::string ServerConfig::*field,
             std::vector<std::string> allowed = {}) {
  return Setting{name, std::move(help), [field](const ServerConfig& c) { return c.*field; },
                 [name, field, allowed](ServerConfig& c, const std::string& v) {
                   if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
                     std::string list;
                     for (const auto& a : allowed) list += (list.empty() ? "" : "|") + a;
                     return parse_error(name, v, ("expected one of " + list).c_str());
                   }
                   c.*field = v;
                   return Status::Ok();
                 }};
}

std::vector<Setting> all_settings() {
  using C = ServerConfig;
  return {
      text("listen", "HOST:PORT to serve HTTP and WebSocket on", &C::listen),
      text("data", "folder of the SQLite database (created if missing)", &C::data_dir),
      text("web_root", "folder of the web client's files", &C::web_root),
      number("threads", "I/O threads (0: one per core); each document lives on one", &C::threads),
      text("sqlite_synchronous", "SQLite durability: full (survives power loss) or normal",
           &C::sqlite_synchronous, {"full", "normal"}),
      number("sqlite_writer_cache_kib", "SQLite page cache of the writing connection (KiB)",
             &C::sqlite_writer_cache_kib),
      number("compact_log_entries", "compact a document's log past this many updates", &C::compact_log_entries),
      number("compact_log_bytes", "compact a document's log past this many bytes", &C::compact_log_bytes),
      number("auto_version_interval_s", "an automatic version at most this often while edited (s)",
             &C::auto_version_interval_s),
      number("idle_unload_s", "unload a document this long after its last client left (s)", &C::idle_unload_s),
      number("hibernate_after_s", "keep a document only encoded after this long without edits (s; 0: never)",
             &C::hibernate_after_s),
      number("upkeep_nice", "how much nicer compaction, versions and trimming run than serving (0: the same)",
             &C::upkeep_nice),
      number("max_frame_bytes", "largest WebSocket message accepted (close 1009 above)", &C::max_frame_bytes),
      number("max_outgoing_frame_bytes", "initial syncs are split into messages under this",
             &C::max_outgoing_frame_bytes),
      number("max_send_queue_bytes", "unread bytes queued for a client before it is closed (4408)",
             &C::max_send_queue_bytes),
      number("messages_per_second", "per-connection sustained message rate (close 4429 above)",
             &C::messages_per_second),
      number("message_burst", "per-connection message burst", &C::message_burst),
      number("bytes_per_second", "per-connection sustained byte rate", &C::bytes_per_second),
      number("byte_burst", "per-connection byte burst", &C::byte_burst),
      number("max_connections_per_ip", "open connections per client IP (0: no limit)", &C::max_connections_per_ip),
      number("max_request_header_bytes", "largest HTTP request head", &C::max_request_header_bytes),
      number("max_request_body_bytes", "largest HTTP request body", &C::max_request_body_bytes),
      number("max_uncommitted_bytes_per_doc", "uncommitted bytes per document before reads pause",
             &C::max_uncommitted_bytes_per_doc),
      number("max_storage_backlog_bytes", "storage backlog before all reads pause", &C::max_storage_backlog_bytes),
      number("idle_timeout_s", "a silent WebSocket is pinged, then closed, after this (s)", &C::idle_timeout_s),
      number("shutdown_timeout_s", "graceful shutdown waits this long for commits (s)", &C::shutdown_timeout_s),
      text("log_format", "log lines as text or json", &C::log_format, {"text", "json"}),
      text("log_level", "least severe level logged", &C::log_level,
           {"trace", "debug", "info", "warn", "error"}),
  };
}

std::string flag_name(const std::string& name) {
  std::string f = "--" + name;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

std::string env_name(const std::string& name) {
  std::string e = "TANDEM_" + name;
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char ch) { return std::toupper(ch); });
  return e;
}

// A TOML value as the string a flag would give.
std::optional<std::string> toml_scalar(const toml::node& node) {
  if (auto s = node.value<std::string>()) return *s;
  if (auto i = node.value<int64_t>(); i && node.is_integer()) return std::to_string(*i);
  if (auto d = node.value<double>(); d && node.is_floating_point()) return std::to_string(*d);
  if (auto b = node.value<bool>(); b && node.is_boolean()) return *b ? "true" : "false";
  return std::nullopt;
}

Status apply_toml(ServerConfig& config, const std::vector<Setting>& settings, const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::Error("config file " + path + ": " + std::string(e.description()) + " at line " +
                         std::to_string(e.source().begin.line));
  }
  for (auto&& [key, node] : table) {
    std::string k(key.str());
    auto it = std::find_if(settings.begin(), settings.end(), [&](const Setting& s) { return s.name == k; });
    if (it == settings.end()) return Status::Error("config file " + path + ": unknown setting \"" + k + "\"");
    auto value = toml_scalar(node);
    if (!value) return Status::Error("config file " + path + ": setting \"" + k + "\" is not a scalar");
    if (Status st = it->set(config, *value); !st) return Status::Error("config file " + path + ": " + st.message());
  }
  return Status::Ok();
}

}  // namespace

Result<std::pair<std::string, uint16_t>> ServerConfig::listen_address() const {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::Error("listen \"" + listen + "\": expected HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  std::string p = listen.substr(colon + 1);
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || end != p.data() + p.size() || port > 65535) {
    return Status::Error("listen \"" + listen + "\": bad port");
  }
  return std::pair<std::string, uint16_t>(host.empty() ? "0.0.0.0" : host, static_cast<uint16_t>(port));
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos && kv.rfind("TANDEM_", 0) == 0) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

ConfigOutcome load_config(int argc, const char* const* argv, const std::map<std::string, std::string>& env) {
  const std::vector<Setting> settings = all_settings();
  ServerConfig config;
  CLI::App app{"tandemd: the Tandem collaboration server. Settings come from flags, then the TOML file "
               "given with --config, then TANDEM_* environment variables (e.g. TANDEM_LISTEN), then "
               "the defaults shown."};
  std::string config_file;
  app.add_option("--config", config_file, "TOML file of settings (keys as below, with underscores)")
      ->envname("TANDEM_CONFIG");
  std::vector<std::string> flag_values(settings.size());
  std::vector<CLI::Option*> options;
  for (size_t i = 0; i < settings.size(); ++i) {
    options.push_back(app.add_option(flag_name(settings[i].name), flag_values[i], settings[i].help)
                          ->default_str(settings[i].show(config)));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return ConfigOutcome{std::nullopt, app.exit(e)};
  }
  auto fail = [](const Status& st) {
    std::cerr << "tandemd: " << st.message() << "\n";
    return ConfigOutcome{std::nullopt, 2};
  };
  for (const Setting& s : settings) {
    auto it = env.find(env_name(s.name));
    if (it == env.end()) continue;
    if (Status st = s.set(config, it->second); !st) return fail(Status::Error("environment " + it->first + ": " + st.message()));
  }
  if (config_file.empty()) {
    if (auto it = env.find("TANDEM_CONFIG"); it != env.end()) config_file = it->second;
  }
  if (!config_file.empty()) {
    if (Status st = apply_toml(config, settings, config_file); !st) return fail(st);
  }
  for (size_t i = 0; i < settings.size(); ++i) {
    if (options[i]->count() == 0) continue;
    if (Status st = settings[i].set(config, flag_values[i]); !st) return fail(st);
  }
  if (auto addr = config.listen_address(); !addr) return fail(addr.status());
  return ConfigOutcome{std::move(config), 0};
}

}  // namespace tandem::server
