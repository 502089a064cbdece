// SubscriberSet: the in-process subscriptions of an UpdateLog backend — who wants each
// document's committed entries, and delivery to them (see ../../docs/storage.md).
#pragma once

#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "storage/update_log.h"

namespace tandem::storage {

//! Owned by a log backend. Thread-safe: add() and the Subscription handles it returns may be
//! used on any thread, deliver() is called by the backend's writer thread. A handle may
//! outlive the set (it then does nothing), and may be destroyed inside its own callback.
//! After a handle is destroyed its callback never starts again; destroying it on another
//! thread while the callback runs waits for the callback to return.
class SubscriberSet {
 public:
  SubscriberSet();
  SubscriberSet(const SubscriberSet&) = delete;
  SubscriberSet& operator=(const SubscriberSet&) = delete;
  ~SubscriberSet();

  std::unique_ptr<UpdateLog::Subscription> add(const DocId& doc, UpdateLog::Delivery deliver);
  //! Calls every current subscriber of `doc` with `entry`, in the order they subscribed.
  void deliver(const DocId& doc, const LogEntry& entry);
  bool empty() const;

  struct Subscriber;
  struct Registry;

 private:
  std::shared_ptr<Registry> registry_;
};

}  // namespace tandem::storage
