// RoomRegistry: the loaded documents of one I/O thread, by id. get() loads a document once,
// however many clients ask during the load. An idle room is unloaded (compacted first when
// its log grew); a client arriving while that compaction runs gets a new room whose load waits
// for it, so a load never reads a half-compacted document. Touched only on its thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "server/server_context.h"

namespace tandem::server {

class Room;

class RoomRegistry {
 public:
  RoomRegistry(ServerContext& ctx, IoThread& thread) : ctx_(ctx), thread_(thread) {}
  RoomRegistry(const RoomRegistry&) = delete;
  RoomRegistry& operator=(const RoomRegistry&) = delete;

  //! The room of `doc_id`, created (and its load started) if there is none.
  std::shared_ptr<Room> get(const std::string& doc_id);
  //! The room of `doc_id` if it is loaded or loading.
  std::shared_ptr<Room> find(const std::string& doc_id) const;
  //! Forgets a failed or closed room (the next get() loads afresh).
  void remove(const Room& room);
  //! Forgets an idle room; compacts its document first if `compact`.
  void unload(const Room& room, bool compact);
  size_t size() const { return rooms_.size(); }
  //! Every room, for shutdown.
  std::vector<std::shared_ptr<Room>> all() const;

 private:
  ServerContext& ctx_;
  IoThread& thread_;
  std::unordered_map<std::string, std::shared_ptr<Room>> rooms_;
  std::unordered_set<std::string> compacting_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Room>>> waiting_;  // loads after a compaction
};

}  // namespace tandem::server
