#include "app/load/measurement.h"

#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstdio>

namespace tandem::load {

Measurement::Measurement(std::string scenario) { fields_["scenario"] = scenario; }

Measurement& Measurement::set(const std::string& key, double v) {
  // Three significant decimals are plenty for every figure reported, and keep lines short.
  fields_[key] = std::isfinite(v) ? std::round(v * 1000) / 1000 : 0.0;
  return *this;
}
Measurement& Measurement::set(const std::string& key, uint64_t v) {
  fields_[key] = v;
  return *this;
}
Measurement& Measurement::set(const std::string& key, bool v) {
  fields_[key] = v;
  return *this;
}
Measurement& Measurement::set(const std::string& key, const std::string& v) {
  fields_[key] = v;
  return *this;
}

void Measurement::print(std::ostream& out, bool json) const {
  if (json) {
    out << boost::json::serialize(fields_) << "\n";
    return;
  }
  out << fields_.at("scenario").as_string().c_str() << ":";
  for (const auto& kv : fields_) {
    if (kv.key() == "scenario") continue;
    out << " " << kv.key() << "=";
    const auto& v = kv.value();
    if (v.is_string()) out << v.as_string().c_str();
    else if (v.is_bool()) out << (v.as_bool() ? "yes" : "no");
    else if (v.is_double()) out << v.as_double();  // 6 significant digits, no exponent below 1e6
    else out << boost::json::serialize(v);
  }
  out << "\n";
}

}  // namespace tandem::load
