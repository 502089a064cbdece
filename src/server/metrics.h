// Metrics: the server's counters, gauges and histograms, rendered in Prometheus' text format
// for GET /metrics (docs/operations.md lists them). Thread-safe: every field is atomic, and
// updated with relaxed ordering from any thread; one Metrics per server.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace tandem::server {

//! A cumulative histogram over fixed bucket bounds (seconds).
class Histogram {
 public:
  static constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02,
                                                     0.05,   0.1,   0.2,   0.5,   1,    5};
  void observe(double seconds);
  //! Prometheus lines for metric `name` (with its # TYPE line).
  std::string render(const std::string& name, const std::string& help) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};  // last: +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

//! Why the server refused something (label `reason` of tandem_rejections_total).
enum class Rejection : uint8_t {
  kMalformed,        // a message or update that does not decode / validate
  kFrameTooBig,      // over max_frame_bytes
  kRateLimited,      // over a token bucket
  kSlowConsumer,     // send queue over max_send_queue_bytes
  kConnectionsPerIp, // over max_connections_per_ip
  kUnknownDocument,  // WebSocket to a document that does not exist
  kLoadFailed,       // the document could not be loaded
  kStorageFailed,    // a write failed
  kBadRequest,       // an HTTP request the API refused (4xx)
  kCount
};
const char* rejection_name(Rejection r);

struct Metrics {
  std::atomic<int64_t> connections{0};         // open WebSocket connections
  std::atomic<uint64_t> connections_total{0};  // accepted WebSocket connections
  std::atomic<int64_t> documents_loaded{0};
  std::atomic<int64_t> documents_hibernating{0};  // loaded, kept encoded only (Room)
  std::atomic<uint64_t> hibernations{0};
  std::atomic<uint64_t> wakes{0};  // hibernating documents rebuilt for an edit
  std::atomic<uint64_t> updates_received{0};   // updates that changed a document
  std::atomic<uint64_t> updates_dropped{0};    // updates that changed nothing
  std::atomic<uint64_t> updates_committed{0};
  std::atomic<uint64_t> messages_sent{0};
  std::atomic<uint64_t> bytes_sent{0};
  std::atomic<uint64_t> bytes_received{0};
  std::atomic<int64_t> send_queue_bytes{0};    // over all connections
  std::atomic<int64_t> uncommitted_bytes{0};   // over all documents
  std::atomic<uint64_t> compactions{0};
  std::atomic<uint64_t> sync_cache_hits{0};  // sync step 1 answered from the encoded reply of another
  std::atomic<uint64_t> http_requests{0};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(Rejection::kCount)> rejections{};
  Histogram commit_latency;  // from an update's arrival to its commit
  Histogram load_latency;    // loading a document from storage

  void reject(Rejection r) { rejections[static_cast<size_t>(r)].fetch_add(1, std::memory_order_relaxed); }
  //! The whole exposition, Prometheus text format 0.0.4.
  std::string render() const;
};

}  // namespace tandem::server
