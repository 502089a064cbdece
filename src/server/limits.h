// The limits tandemd enforces, as named defaults. Each is a setting (config.h) an operator may
// change; docs/operations.md lists them with the reasons below.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tandem::server::limits {

//! Largest WebSocket message accepted from a client. A client's first sync carries all its
//! offline edits in one message, so this is generous; anything larger closes the connection
//! with 1009 (message too big).
inline constexpr size_t kMaxFrameBytes = 16 * 1024 * 1024;

//! Largest message tandemd sends when it can choose: an initial sync bigger than this is
//! split into several updates, each under it, so that it passes proxies with a 1 MiB cap.
inline constexpr size_t kMaxOutgoingFrameBytes = 1024 * 1024;

//! Bytes queued for one client that it has not read yet. A client that stops reading reaches
//! it and is closed with 4408; it resyncs (sync step 1/2) when it reconnects.
inline constexpr size_t kMaxSendQueueBytes = 32 * 1024 * 1024;

//! Per-connection token buckets: sustained messages/s with a burst, and bytes/s with a burst.
//! A fast typist sends 10-20 updates/s; a burst covers reconnect catch-up. Over the limit:
//! close with 4429.
inline constexpr double kMessagesPerSecond = 200;
inline constexpr double kMessageBurst = 2000;
inline constexpr double kBytesPerSecond = 4.0 * 1024 * 1024;
inline constexpr double kByteBurst = 64.0 * 1024 * 1024;

//! Open connections from one IP address (0 = no limit). Over it: the upgrade is refused with
//! 429 / the socket closed with 1013.
inline constexpr size_t kMaxConnectionsPerIp = 256;

//! What a connection may make tandemd buffer before it is accepted as a client of a document
//! (the HTTP request head), and the largest HTTP request body (document import).
inline constexpr size_t kMaxRequestHeaderBytes = 16 * 1024;
inline constexpr size_t kMaxRequestBodyBytes = 8 * 1024 * 1024;

//! Bytes a document may have waiting for its commit before its clients' sockets stop being
//! read (TCP backpressure), and the storage backlog over all documents at which every socket
//! stops being read.
inline constexpr size_t kMaxUncommittedBytesPerDoc = 8 * 1024 * 1024;
inline constexpr size_t kMaxStorageBacklogBytes = 64 * 1024 * 1024;

//! Seconds a document stays loaded after its last client left (then it is compacted and
//! unloaded, if nothing is pending).
inline constexpr double kIdleUnloadSeconds = 30;

//! Seconds without an edit after which a loaded document hibernates: it is kept as its
//! encoded state (automerge-paper's: 223 KB against 1.92 MB of items) and rebuilt at its next
//! edit (that document: ~4 ms, docs/benchmarks.md "load"; a small one far less). Clients
//! joining meanwhile are served from the encoding.
inline constexpr double kHibernateAfterSeconds = 2;

//! An automatic version at most this often while a document is edited.
inline constexpr double kAutoVersionIntervalSeconds = 600;

//! How much nicer than serving the upkeep threads are (compaction, automatic versions, heap
//! trimming): on a core shared with serving they get about a tenth of it, so a compaction of a
//! large document (tens of milliseconds) does not delay edits and syncs, yet still finishes on
//! a busy server.
inline constexpr int kUpkeepNice = 10;  // nice increments

//! Seconds a graceful shutdown waits for commits before closing sockets anyway.
inline constexpr double kShutdownTimeoutSeconds = 10;

//! Seconds a WebSocket may stay silent before it is pinged and, without answer, closed.
inline constexpr double kIdleTimeoutSeconds = 60;

}  // namespace tandem::server::limits
