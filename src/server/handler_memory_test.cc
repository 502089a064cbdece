// HandlerMemory: an operation bound to it lives in it while pending and gives it back before
// its handler runs (so the handler may start the next operation in the same room, or destroy
// the room's owner); what does not fit, or comes while the room is taken, uses the heap.
#include "server/handler_memory.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace tandem::server {
namespace {

namespace asio = boost::asio;

TEST(HandlerMemory, GivesItsRoomToOneAllocationThatFitsAndTheHeapToTheRest) {
  HandlerMemory<64> memory;
  void* first = memory.allocate(64);
  EXPECT_TRUE(memory.in_use());
  void* second = memory.allocate(8);  // the room is taken
  void* big = nullptr;
  EXPECT_NE(first, second);
  memory.deallocate(first);
  EXPECT_FALSE(memory.in_use());
  big = memory.allocate(65);  // too big for the room, though it is free
  EXPECT_FALSE(memory.in_use());
  EXPECT_EQ(memory.allocate(1), first);  // the room again
  memory.deallocate(big);
  memory.deallocate(second);
  EXPECT_TRUE(memory.in_use());
  memory.deallocate(first);
  EXPECT_FALSE(memory.in_use());
}

TEST(HandlerMemory, APendingWaitLivesInTheRoomAndReturnsItBeforeItsHandlerRuns) {
  asio::io_context io;
  asio::steady_timer timer(io);
  HandlerMemory<256> memory;
  int rounds = 0;
  bool room_free_in_handler = false;
  bool second_wait_in_room = false;
  timer.expires_after(std::chrono::milliseconds(1));
  timer.async_wait(bind_memory(memory, [&](boost::system::error_code ec) {
    ASSERT_FALSE(ec);
    ++rounds;
    room_free_in_handler = !memory.in_use();
    // The next wait, started from the handler, takes the room again.
    timer.expires_after(std::chrono::milliseconds(1));
    timer.async_wait(bind_memory(memory, [&](boost::system::error_code ec2) {
      ASSERT_FALSE(ec2);
      ++rounds;
    }));
    second_wait_in_room = memory.in_use();
  }));
  EXPECT_TRUE(memory.in_use());
  io.run();
  EXPECT_EQ(rounds, 2);
  EXPECT_TRUE(room_free_in_handler);
  EXPECT_TRUE(second_wait_in_room);
  EXPECT_FALSE(memory.in_use());
}

TEST(HandlerMemory, AnOperationDestroyedUnrunGivesTheRoomBackBeforeItsHandlerIsDestroyed) {
  // The owner of the room may be kept alive by the handler alone, as a session is.
  struct Owner {
    HandlerMemory<256> memory;
    bool* freed_first;
    explicit Owner(bool* f) : freed_first(f) {}
    ~Owner() { *freed_first = !memory.in_use(); }
  };
  bool freed_first = false;
  {
    asio::io_context io;
    asio::steady_timer timer(io);
    auto owner = std::make_shared<Owner>(&freed_first);
    timer.expires_after(std::chrono::hours(1));
    timer.async_wait(bind_memory(owner->memory, [owner](boost::system::error_code) {}));
    EXPECT_TRUE(owner->memory.in_use());
    owner.reset();  // only the pending operation holds it now
  }  // the io_context and the timer go, and the operation with them
  EXPECT_TRUE(freed_first);
}

}  // namespace
}  // namespace tandem::server
