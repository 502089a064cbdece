#include "server/room_registry.h"

#include <malloc.h>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "server/room.h"
#include "storage/compaction.h"

namespace tandem::server {

namespace {
//! At most one trim per this long: memory freed meanwhile waits for the next.
constexpr auto kTrimInterval = std::chrono::seconds(1);
}  // namespace

RoomRegistry::RoomRegistry(ServerContext& ctx, IoThread& thread)
    : ctx_(ctx), thread_(thread), trim_timer_(thread.ioc.get_executor()) {}

void RoomRegistry::memory_freed() {
  if (trim_cooling_) {
    trim_again_ = true;
    return;
  }
#ifdef __GLIBC__
  // Walks the free lists of every arena (milliseconds for a large heap): off this thread.
  boost::asio::post(ctx_.upkeep->get_executor(), [] { malloc_trim(0); });
#endif
  trim_cooling_ = true;
  trim_timer_.expires_after(kTrimInterval);
  trim_timer_.async_wait([this](boost::system::error_code ec) {
    trim_cooling_ = false;
    if (ec || !trim_again_) return;
    trim_again_ = false;
    memory_freed();
  });
}

std::shared_ptr<Room> RoomRegistry::get(const std::string& doc_id) {
  if (auto it = rooms_.find(doc_id); it != rooms_.end()) return it->second;
  auto room = std::make_shared<Room>(ctx_, thread_, doc_id);
  rooms_.emplace(doc_id, room);
  if (holds_.count(doc_id)) {
    waiting_[doc_id].push_back(room);
  } else {
    room->load();
  }
  return room;
}

std::shared_ptr<Room> RoomRegistry::find(const std::string& doc_id) const {
  auto it = rooms_.find(doc_id);
  return it == rooms_.end() ? nullptr : it->second;
}

void RoomRegistry::remove(const Room& room) {
  auto it = rooms_.find(room.doc_id());
  if (it != rooms_.end() && it->second.get() == &room) rooms_.erase(it);
}

void RoomRegistry::unload(const Room& room, bool compact) {
  std::string id = room.doc_id();
  remove(room);
  spdlog::debug("doc={} unloaded", id);
  if (!compact) return;
  hold(id);
  // Upkeep: nobody waits for it, unless a client comes back for the document meanwhile (its
  // load waits for the hold; on a busy core a compaction at upkeep priority takes longer).
  boost::asio::post(ctx_.upkeep->get_executor(), [this, &ctx = ctx_, &ioc = thread_.ioc, id] {
    auto result = storage::compact(*ctx.storage, id);
    boost::asio::post(ioc, [this, &ctx, id, ok = static_cast<bool>(result),
                            error = result ? std::string() : result.error()] {
      if (ok) {
        ctx.metrics.compactions.fetch_add(1, std::memory_order_relaxed);
      } else {
        spdlog::warn("doc={} compaction at unload failed: {}", id, error);
      }
      release(id);
    });
  });
}

void RoomRegistry::hold(const std::string& doc_id) { ++holds_[doc_id]; }

void RoomRegistry::release(const std::string& doc_id) {
  auto it = holds_.find(doc_id);
  if (it == holds_.end() || --it->second > 0) return;
  holds_.erase(it);
  auto w = waiting_.find(doc_id);
  if (w == waiting_.end()) return;
  auto waiting = std::move(w->second);
  waiting_.erase(w);
  for (auto& r : waiting) r->load();
}

std::vector<std::shared_ptr<Room>> RoomRegistry::all() const {
  std::vector<std::shared_ptr<Room>> out;
  for (const auto& [id, room] : rooms_) out.push_back(room);
  return out;
}

}  // namespace tandem::server
