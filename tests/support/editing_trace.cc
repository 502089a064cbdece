#include "editing_trace.h"

#include <boost/json.hpp>
#include <cstdlib>

#include "common/file_util.h"

namespace tandem::traces {

size_t SequentialTrace::patch_count() const {
  size_t n = 0;
  for (const auto& t : txns) n += t.patches.size();
  return n;
}

std::string traces_dir() {
  if (const char* env = std::getenv("TANDEM_TRACES_DIR"); env && *env) return env;
  return TANDEM_DEFAULT_TRACES_DIR;
}

namespace {
Result<boost::json::value> parse_json_file(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes) return bytes.status();
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(
      std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), ec);
  if (ec) return Status::Error(path + ": " + ec.message());
  return v;
}

std::vector<Patch> read_patches(const boost::json::value& patches) {
  std::vector<Patch> out;
  for (const auto& p : patches.as_array()) {
    const auto& a = p.as_array();
    out.push_back(Patch{static_cast<uint64_t>(a.at(0).to_number<int64_t>()),
                        static_cast<uint64_t>(a.at(1).to_number<int64_t>()),
                        std::string(a.at(2).as_string())});
  }
  return out;
}
}  // namespace

Result<ConcurrentTrace> load_concurrent_trace(const std::string& dir, const std::string& name) {
  std::string path = dir + "/editing-traces/concurrent_traces/" + name + ".json.gz";
  auto parsed = parse_json_file(path);
  if (!parsed) return parsed.status();
  try {
    const auto& o = parsed->as_object();
    ConcurrentTrace t;
    t.end_content = std::string(o.at("endContent").as_string());
    t.num_agents = static_cast<uint32_t>(o.at("numAgents").to_number<int64_t>());
    for (const auto& txn : o.at("txns").as_array()) {
      const auto& to = txn.as_object();
      ConcurrentTxn out;
      out.agent = static_cast<uint32_t>(to.at("agent").to_number<int64_t>());
      for (const auto& p : to.at("parents").as_array()) {
        out.parents.push_back(static_cast<size_t>(p.to_number<int64_t>()));
      }
      out.patches = read_patches(to.at("patches"));
      t.txns.push_back(std::move(out));
    }
    return t;
  } catch (const std::exception& e) {
    return Status::Error(path + ": unexpected trace layout: " + e.what());
  }
}

Result<SequentialTrace> load_sequential_trace(const std::string& dir, const std::string& name) {
  std::string path = dir + "/editing-traces/sequential_traces/" + name + ".json.gz";
  auto parsed = parse_json_file(path);
  if (!parsed) return parsed.status();
  const boost::json::value& v = *parsed;
  try {
    SequentialTrace t;
    const auto& o = v.as_object();
    t.end_content = std::string(o.at("endContent").as_string());
    for (const auto& txn : o.at("txns").as_array()) {
      t.txns.push_back(Txn{read_patches(txn.as_object().at("patches"))});
    }
    return t;
  } catch (const std::exception& e) {
    return Status::Error(path + ": unexpected trace layout: " + e.what());
  }
}

}  // namespace tandem::traces
