// JSON text as JavaScript's JSON.stringify and JSON.parse produce and accept it, over Any.
// Yjs's v1 update format carries embeds, format attributes and ContentJSON as JSON text, so
// byte-identical re-encoding needs JS's exact number and string formatting.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "crdt/any.h"

namespace tandem::crdt {

//! JSON.stringify(v): numbers in JS's shortest round-trip form ("1e+21", "1e-7", -0 -> "0"),
//! strings escaped as ES2019 does, undefined object members skipped, undefined in arrays as
//! null, a top-level undefined as "undefined" (how Yjs's ContentJSON stores it), Uint8Array as
//! an object of its indexes, NaN/Infinity as null. BigInt is not JSON: written as its decimal.
std::string js_stringify(const Any& v);

//! JSON.parse(text). Numbers become doubles (out of range: +-Infinity or +-0, as in JS).
//! Objects follow Any::Object (a repeated key keeps its first place and takes its last value;
//! "__proto__" stays an ordinary key, as JSON.parse makes it). An escaped lone surrogate
//! ("\ud800") becomes U+FFFD, which is what JS's string turns into once written as UTF-8.
//! Text that is not valid UTF-8 and nesting deeper than 256 are errors. Errors carry the byte
//! offset.
Result<Any> js_parse(std::string_view text);

//! JS Number.prototype.toString() for a double.
std::string js_number_to_string(double d);

}  // namespace tandem::crdt
