// Settings: precedence (flags > TOML file > TANDEM_* environment > defaults) and errors.
#include "server/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace tandem::server {
namespace {

ConfigOutcome load(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), "tandemd");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return load_config(static_cast<int>(argv.size()), argv.data(), env);
}

std::string write_toml(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("tandemd_config_test_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(Config, DefaultsAreTheNamedLimits) {
  auto c = load({});
  ASSERT_TRUE(c.config);
  EXPECT_EQ(c.config->listen, "127.0.0.1:8080");
  EXPECT_EQ(c.config->max_frame_bytes, limits::kMaxFrameBytes);
  EXPECT_EQ(c.config->max_send_queue_bytes, limits::kMaxSendQueueBytes);
}

TEST(Config, FlagsBeatTheFileWhichBeatsTheEnvironment) {
  std::string file = write_toml("listen = \"127.0.0.1:7000\"\nmax_frame_bytes = 1000\nthreads = 3\n");
  std::map<std::string, std::string> env{{"TANDEM_LISTEN", "127.0.0.1:6000"},
                                         {"TANDEM_THREADS", "5"},
                                         {"TANDEM_LOG_LEVEL", "debug"}};
  auto c = load({"--config", file, "--threads", "2"}, env);
  ASSERT_TRUE(c.config);
  EXPECT_EQ(c.config->threads, 2u);                  // flag
  EXPECT_EQ(c.config->listen, "127.0.0.1:7000");     // file over environment
  EXPECT_EQ(c.config->max_frame_bytes, 1000u);       // file
  EXPECT_EQ(c.config->log_level, "debug");           // environment over default
  std::filesystem::remove(file);
}

TEST(Config, TheConfigFileMayComeFromTheEnvironment) {
  std::string file = write_toml("idle_unload_s = 2.5\n");
  auto c = load({}, {{"TANDEM_CONFIG", file}});
  ASSERT_TRUE(c.config);
  EXPECT_DOUBLE_EQ(c.config->idle_unload_s, 2.5);
  std::filesystem::remove(file);
}

TEST(Config, BadValuesStopWithAnError) {
  EXPECT_FALSE(load({"--max-frame-bytes", "lots"}).config);
  EXPECT_FALSE(load({"--log-format", "xml"}).config);
  EXPECT_FALSE(load({"--listen", "nohostport"}).config);
  EXPECT_FALSE(load({"--listen", "127.0.0.1:99999"}).config);
  EXPECT_FALSE(load({}, {{"TANDEM_THREADS", "-1"}}).config);
  EXPECT_FALSE(load({"--no-such-flag"}).config);
  std::string file = write_toml("no_such_setting = 1\n");
  EXPECT_FALSE(load({"--config", file}).config);
  std::filesystem::remove(file);
  std::string broken = write_toml("listen = \n");
  EXPECT_FALSE(load({"--config", broken}).config);
  std::filesystem::remove(broken);
}

TEST(Config, ListenAddressSplitsHostAndPort) {
  ServerConfig c;
  c.listen = "[::1]:9000";
  auto a = c.listen_address();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "::1");
  EXPECT_EQ(a->second, 9000);
}

}  // namespace
}  // namespace tandem::server
