#include "app/load/load_run.h"

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdio>
#include <deque>

#include "app/load/doc_api.h"
#include "app/load/load_clock.h"
#include "app/load/proc_stats.h"

namespace tandem::load {

namespace asio = boost::asio;

namespace {

//! Connections opening at once: more would overflow a Node server's listen backlog (511) and
//! turn the connection rate into a measure of SYN retries.
constexpr size_t kMaxConnectsInFlight = 64;
//! The typing schedule's tick: each typist makes the edits that fell due since the last one.
constexpr auto kTick = std::chrono::milliseconds(1);
//! Most edits one typist makes in one tick; past it the schedule slips (the generator is
//! saturated), which shows as an achieved rate under the target.
constexpr uint64_t kMaxBurstPerTick = 50;
//! Hocuspocus closes a connection that sent nothing for its `timeout` (60 s): idle clients
//! send a keepalive this often (its provider's awareness renewals do the same, every 15 s).
constexpr auto kKeepaliveInterval = std::chrono::seconds(20);
//! How long each step of the event loop runs before a waiting condition is checked again.
constexpr auto kPollSlice = std::chrono::milliseconds(2);

std::string hex_tag(std::mt19937_64& rng) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(rng() & 0xffffffffULL));
  return buf;
}

}  // namespace

LoadRun::LoadRun(ServerTarget target, uint64_t seed)
    : target_(std::move(target)),
      work_(io_.get_executor()),
      keepalive_timer_(io_),
      rng_(seed),
      run_tag_(hex_tag(rng_)),
      // Client ids: a random 31-bit base, then consecutive, so no two clients of this run
      // share one and a later run's clients are unlikely to reuse an earlier run's.
      next_client_id_((rng_() & 0x3fffffffULL) + 1) {}

LoadRun::~LoadRun() {
  keepalive_timer_.cancel();
  io_.stop();
}

Status LoadRun::init() {
  asio::ip::tcp::resolver resolver(io_);
  boost::system::error_code ec;
  auto results = resolver.resolve(target_.host, target_.port, ec);
  if (ec || results.empty()) return Status::Error("resolve " + target_.host + ":" + target_.port + ": " + ec.message());
  client_target_.endpoint = results.begin()->endpoint();
  client_target_.host = target_.host + ":" + target_.port;
  if (target_.dialect == Dialect::kHocuspocus) start_keepalive();
  return Status::Ok();
}

void LoadRun::start_keepalive() {
  keepalive_timer_.expires_after(kKeepaliveInterval);
  keepalive_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    for (auto& g : groups_) {
      for (auto& c : g.clients) c->keepalive();
    }
    start_keepalive();
  });
}

Result<std::vector<std::string>> LoadRun::make_documents(size_t count, const std::string& label) {
  if (target_.create_docs) {
    DocApi api(io_, client_target_.endpoint, client_target_.host);
    return api.create(count, "tandem load " + label + " " + run_tag_);
  }
  std::vector<std::string> names;
  names.reserve(count);
  for (size_t i = 0; i < count; ++i) names.push_back(label + "-" + run_tag_ + "-" + std::to_string(i));
  return names;
}

std::shared_ptr<LoadClient> LoadRun::make_client(DocGroup& group) {
  Target t = client_target_;
  t.path = target_.base_path + "/" + group.name;
  auto client = std::make_shared<LoadClient>(io_, std::move(t), Framing(target_.dialect, group.name), next_client_id_++,
                                             group.authors, ledger_, *this);
  group.clients.push_back(client);
  return client;
}

size_t LoadRun::add_group(const std::string& doc, size_t clients, size_t typists) {
  DocGroup g;
  g.name = doc;
  g.authors = std::make_shared<std::vector<crdt::ClientId>>();
  for (size_t i = 0; i < typists && i < clients; ++i) g.authors->push_back(next_client_id_ + i);
  groups_.push_back(std::move(g));
  for (size_t i = 0; i < clients; ++i) make_client(groups_.back());
  return groups_.size() - 1;
}

std::shared_ptr<LoadClient> LoadRun::add_client(size_t group) { return make_client(groups_.at(group)); }

std::vector<std::shared_ptr<LoadClient>> LoadRun::all_clients() const {
  std::vector<std::shared_ptr<LoadClient>> out;
  for (const auto& g : groups_) out.insert(out.end(), g.clients.begin(), g.clients.end());
  return out;
}

void LoadRun::on_synced(LoadClient&) {
  --connects_in_flight_;
  start_pending_connects();
}

void LoadRun::on_failed(LoadClient& client, const Status& why) {
  if (client.synced_ns() == 0) {  // it was still connecting
    --connects_in_flight_;
    start_pending_connects();
  }
  if (failures_++ == 0) first_failure_ = "client " + std::to_string(client.id()) + " on " + client.doc_name() + ": " + why.message();
}

Status LoadRun::failure_status() const {
  if (failures_ == 0) return Status::Ok();
  return Status::Error(std::to_string(failures_) + " connection(s) failed; first: " + first_failure_);
}

void LoadRun::start_pending_connects() {
  while (!pending_connects_.empty() && connects_in_flight_ < kMaxConnectsInFlight) {
    auto client = std::move(pending_connects_.front());
    pending_connects_.pop_front();
    ++connects_in_flight_;
    client->start();
  }
}

Result<ConnectResult> LoadRun::connect(const std::vector<std::shared_ptr<LoadClient>>& clients, double timeout_s) {
  const int64_t start = now_ns();
  pending_connects_.insert(pending_connects_.end(), clients.begin(), clients.end());
  start_pending_connects();
  const bool all = run_until(
      [&] {
        for (const auto& c : clients) {
          if (!c->synced() && !c->finished()) return false;
        }
        return true;
      },
      timeout_s);
  pending_connects_.clear();
  int64_t last = start;
  size_t synced = 0;
  for (const auto& c : clients) {
    if (!c->synced()) continue;
    ++synced;
    last = std::max(last, c->synced_ns());
  }
  if (Status st = failure_status(); !st) return Status::Error("connecting: " + st.message());
  if (!all || synced != clients.size()) {
    return Status::Error("connecting: " + std::to_string(synced) + " of " + std::to_string(clients.size()) +
                         " clients synced within " + std::to_string(timeout_s) + " s");
  }
  return ConnectResult{clients.size(), seconds_between(start, last)};
}

std::vector<Typist> LoadRun::typists() {
  std::vector<Typist> out;
  for (auto& g : groups_) {
    for (size_t i = 0; i < g.authors->size(); ++i) out.emplace_back(g.clients[i], rng_());
  }
  return out;
}

Result<TypingResult> LoadRun::type(std::vector<Typist>& typists, double rate_per_typist, double seconds) {
  TypingResult result;
  result.target_rate = rate_per_typist * static_cast<double>(typists.size());
  if (typists.empty() || rate_per_typist <= 0) return Status::Error("typing needs typists and a positive rate");
  const auto interval = static_cast<int64_t>(1e9 / rate_per_typist);
  const int64_t start = now_ns();
  const int64_t end = start + static_cast<int64_t>(seconds * 1e9);
  std::vector<int64_t> due(typists.size());
  std::uniform_int_distribution<int64_t> phase(0, interval - 1);
  for (auto& d : due) d = start + phase(rng_);
  const double cpu_before = own_cpu_seconds();
  const auto wait_before = process_wait_seconds(0);
  Status error = Status::Ok();
  bool finished = false;
  asio::steady_timer ticker(io_);
  std::function<void()> tick = [&] {
    const int64_t now = now_ns();
    const int64_t until = std::min(now, end);
    for (size_t i = 0; i < typists.size() && error; ++i) {
      for (uint64_t n = 0; due[i] <= until && n < kMaxBurstPerTick; ++n) {
        if (Status st = typists[i].keystroke(); !st) {
          error = Status::Error("typist " + std::to_string(typists[i].client().id()) + ": " + st.message());
          break;
        }
        due[i] += interval;
        ++result.edits;
      }
    }
    if (now >= end || !error) {
      finished = true;
      return;
    }
    ticker.expires_after(kTick);
    ticker.async_wait([&](boost::system::error_code ec) {
      if (!ec) tick();
    });
  };
  tick();
  run_until([&] { return finished; }, seconds + 5);
  ticker.cancel();
  result.seconds = seconds_between(start, std::min(now_ns(), end));
  result.generator_cpu_seconds = own_cpu_seconds() - cpu_before;
  const auto wait_after = process_wait_seconds(0);
  if (wait_before && wait_after) result.generator_wait_seconds = wait_after.value() - wait_before.value();
  if (!error) return Status::Error(error.message() + (failures_ ? " (" + first_failure_ + ")" : ""));
  if (Status st = failure_status(); !st) return Status::Error("typing: " + st.message());
  return result;
}

bool LoadRun::drain(double timeout_s) {
  auto delivered = [this] {
    for (const auto& g : groups_) {
      for (size_t a = 0; a < g.authors->size(); ++a) {
        const crdt::ClientId author = (*g.authors)[a];
        const crdt::Clock own = g.clients[a]->clock_of(author);
        for (const auto& c : g.clients) {
          if (!c->finished() && c->clock_of(author) < own) return false;
        }
      }
    }
    return true;
  };
  return run_until(delivered, timeout_s);
}

Convergence LoadRun::check() const {
  Convergence out;
  for (const auto& g : groups_) {
    if (g.clients.empty()) continue;
    const std::string reference = g.clients.front()->text();
    for (const auto& c : g.clients) {
      for (const crdt::ClientId author : *g.authors) {
        if (author != c->id()) out.lost_edits += ledger_.missing(author, c->clock_of(author));
      }
      if (c->finished() || c->text() != reference) {
        if (out.first_difference.empty()) {
          out.first_difference = "document " + g.name + ": client " + std::to_string(c->id()) +
                                 (c->finished() ? " is disconnected" : " has different text");
        }
        out.converged = false;
      }
    }
  }
  if (out.lost_edits > 0) out.converged = false;
  return out;
}

void LoadRun::run_for(double seconds) {
  const int64_t end = now_ns() + static_cast<int64_t>(seconds * 1e9);
  run_until([&] { return now_ns() >= end; }, seconds + 1);
}

bool LoadRun::run_until(const std::function<bool()>& done, double timeout_s) {
  const int64_t deadline = now_ns() + static_cast<int64_t>(timeout_s * 1e9);
  while (!done()) {
    if (now_ns() >= deadline) return false;
    io_.run_for(kPollSlice);
  }
  return true;
}

void LoadRun::close_all(double timeout_s) {
  auto clients = all_clients();
  for (auto& c : clients) c->close();
  run_until(
      [&] {
        for (auto& c : clients) {
          if (!c->finished()) return false;
        }
        return true;
      },
      timeout_s);
  for (auto& c : clients) c->abort();
}

}  // namespace tandem::load
