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

Result<SequentialTrace> load_sequential_trace(const std::string& dir, const std::string& name) {
  std::string path = dir + "/editing-traces/sequential_traces/" + name + ".json.gz";
  auto bytes = read_file(path);
  if (!bytes) return bytes.status();
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(
      std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), ec);
  if (ec) return Status::Error(path + ": " + ec.message());
  try {
    SequentialTrace t;
    const auto& o = v.as_object();
    t.end_content = std::string(o.at("endContent").as_string());
    for (const auto& txn : o.at("txns").as_array()) {
      Txn out;
      for (const auto& p : txn.as_object().at("patches").as_array()) {
        const auto& a = p.as_array();
        out.patches.push_back(Patch{static_cast<uint64_t>(a.at(0).to_number<int64_t>()),
                                    static_cast<uint64_t>(a.at(1).to_number<int64_t>()),
                                    std::string(a.at(2).as_string())});
      }
      t.txns.push_back(std::move(out));
    }
    return t;
  } catch (const std::exception& e) {
    return Status::Error(path + ": unexpected trace layout: " + e.what());
  }
}

}  // namespace tandem::traces
