#include "server/metrics.h"

#include <cstdio>

namespace tandem::server {

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void metric(std::string& out, const char* name, const char* type, const char* help, double value) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  out += std::string(name) + " " + number(value) + "\n";
}

template <class T>
double load(const std::atomic<T>& a) {
  return static_cast<double>(a.load(std::memory_order_relaxed));
}

}  // namespace

void Histogram::observe(double seconds) {
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Histogram::render(const std::string& name, const std::string& help) const {
  std::string out = "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    std::string le = i < kBounds.size() ? number(kBounds[i]) : "+Inf";
    out += name + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += name + "_sum " + number(static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6) + "\n";
  out += name + "_count " + std::to_string(count_.load(std::memory_order_relaxed)) + "\n";
  return out;
}

const char* rejection_name(Rejection r) {
  switch (r) {
    case Rejection::kMalformed: return "malformed";
    case Rejection::kFrameTooBig: return "frame_too_big";
    case Rejection::kRateLimited: return "rate_limited";
    case Rejection::kSlowConsumer: return "slow_consumer";
    case Rejection::kConnectionsPerIp: return "connections_per_ip";
    case Rejection::kUnknownDocument: return "unknown_document";
    case Rejection::kLoadFailed: return "load_failed";
    case Rejection::kStorageFailed: return "storage_failed";
    case Rejection::kBadRequest: return "bad_request";
    case Rejection::kCount: break;
  }
  return "unknown";
}

std::string Metrics::render() const {
  std::string out;
  metric(out, "tandem_connections", "gauge", "Open WebSocket connections.", load(connections));
  metric(out, "tandem_connections_total", "counter", "WebSocket connections accepted.", load(connections_total));
  metric(out, "tandem_documents_loaded", "gauge", "Documents in memory.", load(documents_loaded));
  metric(out, "tandem_documents_hibernating", "gauge",
         "Loaded documents kept only as their encoded state until their next edit.", load(documents_hibernating));
  metric(out, "tandem_hibernations_total", "counter", "Documents put into hibernation.", load(hibernations));
  metric(out, "tandem_wakes_total", "counter", "Hibernating documents rebuilt for an edit.", load(wakes));
  metric(out, "tandem_updates_received_total", "counter", "Updates that changed a document.", load(updates_received));
  metric(out, "tandem_updates_dropped_total", "counter", "Updates that changed nothing (not stored).",
         load(updates_dropped));
  metric(out, "tandem_updates_committed_total", "counter", "Updates committed to the log.", load(updates_committed));
  metric(out, "tandem_messages_sent_total", "counter", "WebSocket messages sent.", load(messages_sent));
  metric(out, "tandem_bytes_sent_total", "counter", "WebSocket payload bytes sent.", load(bytes_sent));
  metric(out, "tandem_bytes_received_total", "counter", "WebSocket payload bytes received.", load(bytes_received));
  metric(out, "tandem_send_queue_bytes", "gauge", "Bytes queued for clients, not yet written.", load(send_queue_bytes));
  metric(out, "tandem_uncommitted_bytes", "gauge", "Update bytes waiting for their commit.", load(uncommitted_bytes));
  metric(out, "tandem_compactions_total", "counter", "Log compactions into a snapshot.", load(compactions));
  metric(out, "tandem_sync_cache_hits_total", "counter",
         "Sync step 1 answered with the reply already encoded for the same state vector.", load(sync_cache_hits));
  metric(out, "tandem_http_requests_total", "counter", "HTTP requests served.", load(http_requests));
  out += "# HELP tandem_rejections_total Requests, messages and connections refused, by reason.\n"
         "# TYPE tandem_rejections_total counter\n";
  for (size_t i = 0; i < rejections.size(); ++i) {
    out += std::string("tandem_rejections_total{reason=\"") + rejection_name(static_cast<Rejection>(i)) + "\"} " +
           std::to_string(rejections[i].load(std::memory_order_relaxed)) + "\n";
  }
  out += commit_latency.render("tandem_commit_latency_seconds", "From an update's arrival to its commit.");
  out += load_latency.render("tandem_document_load_seconds", "Loading a document from storage.");
  return out;
}

}  // namespace tandem::server
