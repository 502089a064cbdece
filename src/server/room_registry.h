// RoomRegistry: the loaded documents of one I/O thread, by id. get() loads a document once,
// however many clients ask during the load. An idle room is unloaded (compacted first when
// its log grew); a client arriving while that compaction runs gets a new room whose load waits
// for it, so a load never reads a half-compacted document. A document being deleted is held
// the same way: a client arriving between the closing of its room and the deletion in storage
// waits, then finds no document (4404) instead of loading it again. After rooms free memory
// (hibernation), it has the allocator hand free pages back to the operating system, which
// glibc otherwise keeps. Touched only on its thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/server_context.h"

namespace tandem::server {

class Room;

class RoomRegistry {
 public:
  RoomRegistry(ServerContext& ctx, IoThread& thread);
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
  //! Loads of `doc_id` wait until as many release() calls as hold() calls have been made.
  void hold(const std::string& doc_id);
  void release(const std::string& doc_id);
  //! A room freed a lot of memory: free heap pages go back to the operating system, from the
  //! upkeep pool, at once or (at most once a second) after the previous time.
  void memory_freed();

 private:
  ServerContext& ctx_;
  IoThread& thread_;
  std::unordered_map<std::string, std::shared_ptr<Room>> rooms_;
  std::unordered_map<std::string, int> holds_;  // compactions and deletions under way
  std::unordered_map<std::string, std::vector<std::shared_ptr<Room>>> waiting_;  // loads after them
  IoTimer trim_timer_;
  bool trim_cooling_ = false;  // a trim ran less than a second ago
  bool trim_again_ = false;    // memory was freed since
};

}  // namespace tandem::server
