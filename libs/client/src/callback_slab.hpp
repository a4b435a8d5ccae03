#pragma once
// Delivery callbacks live in slabs of slots instead of one heap block per record: send() runs
// on the application's threads and the callback is destroyed on the poll thread, and a malloc
// per record freed on another thread was the largest cost klab::client added to librdkafka's
// send path (bench/reports/compare_perf.md).
#include <atomic>
#include <mutex>
#include <new>
#include <utility>

#include "klab/client/producer.hpp"

namespace klab::client::detail {

class CallbackSlab;

/// One callback and the slab it lives in; its address is the record's librdkafka opaque.
struct CallbackSlot {
  DeliveryCallback callback;
  CallbackSlab* slab;
};

/// A block of slots handed out in order; freed by whoever releases its last slot.
class CallbackSlab {
 public:
  static constexpr int capacity = 256;

  /// Destroys the slot's callback and frees the slab once every slot was released.
  static void release(CallbackSlot* slot) noexcept {
    CallbackSlab* slab = slot->slab;
    slot->~CallbackSlot();
    slab->release_slots(1);
  }

 private:
  friend class CallbackSlabs;
  void release_slots(int n) noexcept {
    if (pending_.fetch_sub(n, std::memory_order_acq_rel) == n) delete this;
  }
  void* slot_address(int i) noexcept { return storage_ + i * sizeof(CallbackSlot); }

  // Slots not yet released (the unused ones included until the slab is retired), plus one for
  // CallbackSlabs while the slab is its current one: a full slab whose callbacks all ran must
  // not go while emplace() may still look at it.
  std::atomic<int> pending_{capacity + 1};
  int used_ = 0;  // guarded by CallbackSlabs::mutex_
  alignas(CallbackSlot) unsigned char storage_[capacity * sizeof(CallbackSlot)];
};

/// The producer's current slab. Thread-safe: send() may be called from several threads.
class CallbackSlabs {
 public:
  CallbackSlabs() = default;
  CallbackSlabs(const CallbackSlabs&) = delete;
  CallbackSlabs& operator=(const CallbackSlabs&) = delete;
  /// Retires the current slab: its unused slots and the reference held on it are released.
  ~CallbackSlabs() {
    if (current_) current_->release_slots(1 + CallbackSlab::capacity - current_->used_);
  }

  /// Moves `callback` into a fresh slot; release it with CallbackSlab::release().
  CallbackSlot* emplace(DeliveryCallback&& callback) {
    CallbackSlab* slab;
    int index;
    {
      std::lock_guard lock(mutex_);
      if (!current_ || current_->used_ == CallbackSlab::capacity) {
        if (current_) current_->release_slots(1);  // full: only its callbacks keep it now
        current_ = new CallbackSlab;
      }
      slab = current_;
      index = slab->used_++;
    }
    return ::new (slab->slot_address(index)) CallbackSlot{std::move(callback), slab};
  }

 private:
  std::mutex mutex_;
  CallbackSlab* current_ = nullptr;
};

}  // namespace klab::client::detail
