// JSON.stringify / JSON.parse over Any, as JavaScript (ES2019+) does them.
#include "crdt/js_json.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "crdt/lib0_encoding.h"
#include "crdt/lib0_utf8.h"

namespace tandem::crdt {

// ---------------------------------------------------------------------------------------------
// Number::toString

std::string js_number_to_string(double d) {
  if (std::isnan(d)) return "NaN";
  if (d == 0) return "0";  // both +0 and -0
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  std::string out;
  if (d < 0) {
    out.push_back('-');
    d = -d;
  }
  // The shortest digits that round-trip, closest to d on ties: what ECMAScript asks for.
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  const char* p = buf;
  const char* end = res.ptr;
  char digits[32];
  int k = 0;
  digits[k++] = *p++;
  if (*p == '.') {
    ++p;
    while (p < end && *p != 'e') digits[k++] = *p++;
  }
  ++p;  // 'e'
  int exp = 0;
  std::from_chars(*p == '+' ? p + 1 : p, end, exp);
  // ECMAScript's n: d = 0.digits * 10^n.
  const int n = exp + 1;
  if (k <= n && n <= 21) {
    out.append(digits, static_cast<size_t>(k));
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, static_cast<size_t>(n));
    out.push_back('.');
    out.append(digits + n, static_cast<size_t>(k - n));
  } else if (-6 < n && n <= 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-n), '0');
    out.append(digits, static_cast<size_t>(k));
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits + 1, static_cast<size_t>(k - 1));
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    out.append(std::to_string(std::abs(n - 1)));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON.stringify

namespace {

void quote(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s, run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default: {
        const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(esc, sizeof esc);
      }
    }
  }
  out.append(s, run, s.size() - run);
  out.push_back('"');
}

void stringify(std::string& out, const Any& v) {
  switch (v.kind) {
    case Any::Kind::Undefined:  // only reached inside arrays (as null) or at the top
    case Any::Kind::Null:
      out.append("null");
      return;
    case Any::Kind::Number:
      if (std::isfinite(v.number)) {
        out.append(js_number_to_string(v.number));
      } else {
        out.append("null");
      }
      return;
    case Any::Kind::BigInt:
      out.append(std::to_string(v.bigint));
      return;
    case Any::Kind::Bool:
      out.append(v.boolean ? "true" : "false");
      return;
    case Any::Kind::String:
      quote(out, v.str);
      return;
    case Any::Kind::Object: {
      out.push_back('{');
      bool first = true;
      if (v.obj) {
        for (const auto& [key, value] : *v.obj) {
          if (value.is_undefined()) continue;
          if (!first) out.push_back(',');
          first = false;
          quote(out, key);
          out.push_back(':');
          stringify(out, value);
        }
      }
      out.push_back('}');
      return;
    }
    case Any::Kind::Array: {
      out.push_back('[');
      if (v.arr) {
        for (size_t i = 0; i < v.arr->size(); ++i) {
          if (i) out.push_back(',');
          stringify(out, (*v.arr)[i]);
        }
      }
      out.push_back(']');
      return;
    }
    case Any::Kind::Buffer: {
      // A Uint8Array's own enumerable properties are its indexes.
      out.push_back('{');
      if (v.buf) {
        for (size_t i = 0; i < v.buf->size(); ++i) {
          if (i) out.push_back(',');
          out.push_back('"');
          out.append(std::to_string(i));
          out.append("\":");
          out.append(std::to_string((*v.buf)[i]));
        }
      }
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

std::string js_stringify(const Any& v) {
  if (v.is_undefined()) return "undefined";
  std::string out;
  stringify(out, v);
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON.parse

namespace {

constexpr int kMaxJsonDepth = Decoder::kMaxAnyDepth;  // what we parse, lib0 can re-read
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Recursive descent over the JSON grammar of ECMA-404 / ECMAScript's JSON.parse. Errors are
// thrown as DecodeError and turned into a Status by js_parse.
class Parser {
 public:
  explicit Parser(std::string_view text) : t_(text) {}

  Any parse_document() {
    skip_ws();
    Any v = parse_value(0);
    skip_ws();
    if (i_ != t_.size()) fail("unexpected character after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw DecodeError("JSON.parse: " + what, i_);
  }
  [[noreturn]] void fail_here(const char* expected) const {
    if (i_ >= t_.size()) fail(std::string("unexpected end of input, expected ") + expected);
    fail(std::string("unexpected character '") + describe(t_[i_]) + "', expected " + expected);
  }
  static std::string describe(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) return std::string(1, c);
    static constexpr char kHex[] = "0123456789abcdef";
    return std::string("\\x") + kHex[u >> 4] + kHex[u & 0xF];
  }

  void skip_ws() {
    while (i_ < t_.size()) {
      const char c = t_[i_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++i_;
    }
  }

  void expect_literal(std::string_view lit) {
    if (t_.substr(i_, lit.size()) != lit) fail_here("a JSON value");
    i_ += lit.size();
  }

  Any parse_value(int depth) {
    if (i_ >= t_.size()) fail_here("a JSON value");
    switch (t_[i_]) {
      case '{':
        return parse_object(depth);
      case '[':
        return parse_array(depth);
      case '"':
        return Any::String(parse_string());
      case 't':
        expect_literal("true");
        return Any::Bool(true);
      case 'f':
        expect_literal("false");
        return Any::Bool(false);
      case 'n':
        expect_literal("null");
        return Any::Null();
      default:
        if (t_[i_] == '-' || (t_[i_] >= '0' && t_[i_] <= '9')) return Any::Number(parse_number());
        fail_here("a JSON value");
    }
  }

  void enter(int depth) const {
    if (depth >= kMaxJsonDepth) fail("nesting deeper than " + std::to_string(kMaxJsonDepth));
  }

  Any parse_object(int depth) {
    enter(depth);
    ++i_;  // '{'
    AnyObject obj;
    skip_ws();
    if (i_ < t_.size() && t_[i_] == '}') {
      ++i_;
      return Any::Object(std::move(obj));
    }
    while (true) {
      skip_ws();
      if (i_ >= t_.size() || t_[i_] != '"') fail_here("a string key");
      std::string key = parse_string();
      skip_ws();
      if (i_ >= t_.size() || t_[i_] != ':') fail_here("':'");
      ++i_;
      skip_ws();
      Any value = parse_value(depth + 1);
      obj.emplace_back(std::move(key), std::move(value));
      skip_ws();
      if (i_ < t_.size() && t_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < t_.size() && t_[i_] == '}') {
        ++i_;
        break;
      }
      fail_here("',' or '}'");
    }
    // Repeated keys: the last value at the first position (Any::Object does it).
    return Any::Object(std::move(obj));
  }

  Any parse_array(int depth) {
    enter(depth);
    ++i_;  // '['
    AnyArray arr;
    skip_ws();
    if (i_ < t_.size() && t_[i_] == ']') {
      ++i_;
      return Any::Array(std::move(arr));
    }
    while (true) {
      skip_ws();
      arr.push_back(parse_value(depth + 1));
      skip_ws();
      if (i_ < t_.size() && t_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < t_.size() && t_[i_] == ']') {
        ++i_;
        break;
      }
      fail_here("',' or ']'");
    }
    return Any::Array(std::move(arr));
  }

  // Four hex digits at t_[at..at+4), or -1.
  int32_t hex4_at(size_t at) const {
    if (at > t_.size() || t_.size() - at < 4) return -1;
    int32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      const int h = hex_value(t_[at + k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  std::string parse_string() {
    ++i_;  // opening quote
    std::string out;
    size_t run = i_;
    while (true) {
      if (i_ >= t_.size()) fail("unterminated string");
      const auto c = static_cast<unsigned char>(t_[i_]);
      if (c == '"') {
        out.append(t_, run, i_ - run);
        ++i_;
        return out;
      }
      if (c < 0x20) fail("control character in string");
      if (c != '\\') {
        ++i_;
        continue;
      }
      out.append(t_, run, i_ - run);
      ++i_;  // backslash
      if (i_ >= t_.size()) fail("unterminated string");
      switch (t_[i_]) {
        case '"':
          out.push_back('"');
          ++i_;
          break;
        case '\\':
          out.push_back('\\');
          ++i_;
          break;
        case '/':
          out.push_back('/');
          ++i_;
          break;
        case 'b':
          out.push_back('\b');
          ++i_;
          break;
        case 'f':
          out.push_back('\f');
          ++i_;
          break;
        case 'n':
          out.push_back('\n');
          ++i_;
          break;
        case 'r':
          out.push_back('\r');
          ++i_;
          break;
        case 't':
          out.push_back('\t');
          ++i_;
          break;
        case 'u': {
          const int32_t cu = hex4_at(i_ + 1);
          if (cu < 0) fail("bad \\u escape");
          i_ += 5;
          if (cu >= 0xD800 && cu <= 0xDBFF) {
            // A pair only if a \u low surrogate follows at once.
            const int32_t lo = (t_.substr(i_, 2) == "\\u") ? hex4_at(i_ + 2) : -1;
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
              append_utf8(out, 0x10000 + ((static_cast<uint32_t>(cu) - 0xD800) << 10) +
                                   (static_cast<uint32_t>(lo) - 0xDC00));
              i_ += 6;
            } else {
              out.append(kReplacement);  // a lone surrogate: what UTF-8 encoding makes of it
            }
          } else if (cu >= 0xDC00 && cu <= 0xDFFF) {
            out.append(kReplacement);
          } else {
            append_utf8(out, static_cast<uint32_t>(cu));
          }
          break;
        }
        default:
          fail("bad escape");
      }
      run = i_;
    }
  }

  double parse_number() {
    const size_t start = i_;
    bool negative = false;
    if (t_[i_] == '-') {
      negative = true;
      ++i_;
    }
    auto digit = [&](size_t at) { return at < t_.size() && t_[at] >= '0' && t_[at] <= '9'; };
    const size_t int_start = i_;
    if (!digit(i_)) fail_here("a digit");
    if (t_[i_] == '0') {
      ++i_;
    } else {
      while (digit(i_)) ++i_;
    }
    const size_t int_end = i_;
    size_t frac_start = i_, frac_end = i_;
    if (i_ < t_.size() && t_[i_] == '.') {
      ++i_;
      if (!digit(i_)) fail_here("a digit");
      frac_start = i_;
      while (digit(i_)) ++i_;
      frac_end = i_;
    }
    int64_t exp = 0;
    if (i_ < t_.size() && (t_[i_] == 'e' || t_[i_] == 'E')) {
      ++i_;
      bool exp_negative = false;
      if (i_ < t_.size() && (t_[i_] == '+' || t_[i_] == '-')) exp_negative = t_[i_++] == '-';
      if (!digit(i_)) fail_here("a digit");
      while (digit(i_)) {
        if (exp < 100000000) exp = exp * 10 + (t_[i_] - '0');
        ++i_;
      }
      if (exp_negative) exp = -exp;
    }
    double value = 0;
    const auto res = std::from_chars(t_.data() + start, t_.data() + i_, value);
    if (res.ec == std::errc::result_out_of_range) {
      // Too large or too small for a double: JS gives +-Infinity or +-0. Which one depends on
      // the decimal exponent of the leading significant digit.
      int64_t magnitude = 0;
      size_t nz = int_start;
      while (nz < int_end && t_[nz] == '0') ++nz;
      if (nz < int_end) {
        magnitude = static_cast<int64_t>(int_end - nz) - 1 + exp;
      } else {
        size_t f = frac_start;
        while (f < frac_end && t_[f] == '0') ++f;
        magnitude = -static_cast<int64_t>(f - frac_start) - 1 + exp;
      }
      value = magnitude > 0 ? HUGE_VAL : 0.0;
      if (negative) value = -value;
    } else if (res.ec != std::errc() || res.ptr != t_.data() + i_) {
      i_ = start;
      fail("bad number");
    }
    return value;
  }

  std::string_view t_;
  size_t i_ = 0;
};

}  // namespace

Result<Any> js_parse(std::string_view text) {
  const size_t bad = lib0::utf8_invalid_at(text);
  if (bad != text.size()) {
    return Status::Error("JSON.parse: invalid UTF-8 at byte " + std::to_string(bad));
  }
  try {
    return Parser(text).parse_document();
  } catch (const DecodeError& e) {
    return Status::Error(e.what());
  }
}

}  // namespace tandem::crdt
