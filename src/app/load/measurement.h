// Measurement: one result of a scenario — an ordered list of named values — and how it is
// printed: one JSON object per line (--json) or one "scenario: key=value ..." line for
// people. Field names and units are listed in bench/README.md ("tandem load"). A value type.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <ostream>
#include <string>

namespace tandem::load {

class Measurement {
 public:
  explicit Measurement(std::string scenario);

  Measurement& set(const std::string& key, double v);
  Measurement& set(const std::string& key, uint64_t v);
  Measurement& set(const std::string& key, bool v);
  Measurement& set(const std::string& key, const std::string& v);
  Measurement& set(const std::string& key, const char* v) { return set(key, std::string(v)); }

  const boost::json::object& fields() const { return fields_; }

  //! Writes one line: JSON, or the human form.
  void print(std::ostream& out, bool json) const;

 private:
  boost::json::object fields_;
};

}  // namespace tandem::load
