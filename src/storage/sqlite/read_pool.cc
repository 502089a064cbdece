#include "storage/sqlite/read_pool.h"

#include <cassert>

namespace tandem::storage::sqlite {

ReadPool::ReadPool(std::string path, int busy_timeout_ms, size_t max_connections)
    : path_(std::move(path)),
      busy_timeout_ms_(busy_timeout_ms),
      max_connections_(max_connections == 0 ? 1 : max_connections) {}

ReadPool::~ReadPool() { assert(idle_.size() == open_); }

ReadPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), db_(std::move(other.db_)) {}

ReadPool::Lease::~Lease() {
  if (db_) pool_->give_back(std::move(db_));
}

Result<ReadPool::Lease> ReadPool::acquire() {
  {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < max_connections_; });
    if (!idle_.empty()) {
      std::unique_ptr<Database> db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(db));
    }
    ++open_;  // reserved; opened outside the lock
  }
  auto db = Database::open(path_, Database::Mode::ReadOnly, busy_timeout_ms_);
  if (!db) {
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    available_.notify_one();
    return db.status();
  }
  return Lease(*this, std::move(db).value());
}

void ReadPool::give_back(std::unique_ptr<Database> db) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(db));
  }
  available_.notify_one();
}

}  // namespace tandem::storage::sqlite
