#include "storage/subscriber_set.h"

#include <algorithm>

namespace tandem::storage {

struct SubscriberSet::Subscriber {
  // Recursive: the callback may destroy its own handle, which locks this mutex again.
  std::recursive_mutex mutex;
  bool active = true;  // GUARDED_BY(mutex)
  UpdateLog::Delivery deliver;
};

struct SubscriberSet::Registry {
  mutable std::mutex mutex;
  std::unordered_map<DocId, std::vector<std::shared_ptr<Subscriber>>> by_doc;  // GUARDED_BY(mutex)

  void remove(const DocId& doc, const Subscriber* sub) {
    std::lock_guard lock(mutex);
    auto it = by_doc.find(doc);
    if (it == by_doc.end()) return;
    std::erase_if(it->second, [&](const auto& s) { return s.get() == sub; });
    if (it->second.empty()) by_doc.erase(it);
  }
};

namespace {

class Handle final : public UpdateLog::Subscription {
 public:
  Handle(std::weak_ptr<SubscriberSet::Registry> registry, DocId doc,
         std::shared_ptr<SubscriberSet::Subscriber> sub)
      : registry_(std::move(registry)), doc_(std::move(doc)), sub_(std::move(sub)) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() override {
    {
      std::lock_guard lock(sub_->mutex);  // waits for a delivery on another thread
      sub_->active = false;
    }
    if (auto registry = registry_.lock()) registry->remove(doc_, sub_.get());
  }

 private:
  std::weak_ptr<SubscriberSet::Registry> registry_;
  DocId doc_;
  std::shared_ptr<SubscriberSet::Subscriber> sub_;
};

}  // namespace

SubscriberSet::SubscriberSet() : registry_(std::make_shared<Registry>()) {}
SubscriberSet::~SubscriberSet() = default;

std::unique_ptr<UpdateLog::Subscription> SubscriberSet::add(const DocId& doc,
                                                            UpdateLog::Delivery deliver) {
  auto sub = std::make_shared<Subscriber>();
  sub->deliver = std::move(deliver);
  {
    std::lock_guard lock(registry_->mutex);
    registry_->by_doc[doc].push_back(sub);
  }
  return std::make_unique<Handle>(registry_, doc, std::move(sub));
}

void SubscriberSet::deliver(const DocId& doc, const LogEntry& entry) {
  std::vector<std::shared_ptr<Subscriber>> subs;
  {
    std::lock_guard lock(registry_->mutex);
    auto it = registry_->by_doc.find(doc);
    if (it == registry_->by_doc.end()) return;
    subs = it->second;
  }
  for (const auto& sub : subs) {
    std::lock_guard lock(sub->mutex);
    if (sub->active) sub->deliver(entry);
  }
}

bool SubscriberSet::empty() const {
  std::lock_guard lock(registry_->mutex);
  return registry_->by_doc.empty();
}

}  // namespace tandem::storage
