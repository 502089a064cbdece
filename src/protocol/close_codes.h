// WebSocket close codes tandemd uses (docs/wire.md, "Close codes"). 1000-1015 are RFC 6455's;
// 4000-4999 are for applications: Tandem's mirror HTTP statuses where one fits (4400 = bad
// request, ...), so that a log line reads without a table.
#pragma once

#include <cstdint>

namespace tandem::protocol {

enum class CloseCode : uint16_t {
  kNormal = 1000,
  kGoingAway = 1001,         // the client is leaving
  kMessageTooBig = 1009,     // a frame over the frame-size cap (RFC 6455)
  kInternalError = 1011,
  kServiceRestart = 1012,    // graceful shutdown: reconnect
  kTryAgainLater = 1013,     // overloaded (e.g. connections per IP): reconnect later
  kMalformed = 4400,         // a message that does not decode, or an invalid update
  kUnauthorized = 4401,      // (auth issue)
  kForbidden = 4403,         // (auth issue)
  kUnknownDocument = 4404,   // no such document
  kSlowConsumer = 4408,      // the client stopped reading: send queue over its cap; resync on return
  kRateLimited = 4429,       // over the per-connection message or byte rate
  kLoadFailed = 4500,        // the document could not be loaded; nothing was served
  kStorageUnavailable = 4503,  // a write failed; the document stopped accepting edits
};

}  // namespace tandem::protocol
