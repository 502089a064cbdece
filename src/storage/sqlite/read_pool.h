// ReadPool: the read-only connections of the SQLite backend. WAL lets them read beside the
// writer, each transaction seeing the last commit before it began (docs/storage.md, "Reads").
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/sqlite/database.h"

namespace tandem::storage::sqlite {

//! A small pool, not one connection per calling thread: the server's threads and the
//! compactor share at most `max_connections` connections, opened when first needed and kept.
//! Thread-safe; a Lease (and its Database) belongs to the thread that acquired it until it is
//! destroyed. A caller that finds every connection leased waits for one.
class ReadPool {
 public:
  //! Enough for the server's I/O threads and a compactor to read at once.
  static constexpr size_t kDefaultMaxConnections = 4;

  ReadPool(std::string path, int busy_timeout_ms, size_t max_connections);
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;
  ~ReadPool();  // REQUIRES: no lease outstanding

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();
    Database& db() { return *db_; }

   private:
    friend class ReadPool;
    Lease(ReadPool& pool, std::unique_ptr<Database> db) : pool_(&pool), db_(std::move(db)) {}
    ReadPool* pool_;
    std::unique_ptr<Database> db_;
  };

  //! A connection for this thread's reads, opened if none is idle and fewer than
  //! max_connections exist.
  Result<Lease> acquire();

 private:
  void give_back(std::unique_ptr<Database> db);

  const std::string path_;
  const int busy_timeout_ms_;
  const size_t max_connections_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Database>> idle_;  // GUARDED_BY(mutex_)
  size_t open_ = 0;                              // GUARDED_BY(mutex_): idle + leased
};

}  // namespace tandem::storage::sqlite
