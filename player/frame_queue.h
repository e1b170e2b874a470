// Decoded output from a decoder thread to its consumer (the presenter for video, the audio
// renderer for sound). Bounded: the decoder blocks when it is full. A seek moves the queue to a new
// serial; items of older serials are dropped on the spot and a writer blocked on them is released,
// so nothing stale is ever shown and nothing needs draining.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

namespace courtplay::player {

template <class Item>  // Item has `int serial`
class FrameQueue {
public:
    FrameQueue(size_t capacity, std::function<size_t(const Item&)> cost)
        : capacity_(capacity), cost_(std::move(cost)) {}

    // A new bound, from the consumer's side; a writer waiting for room is woken.
    void set_capacity(size_t capacity) {
        {
            std::lock_guard lock(mutex_);
            capacity_ = capacity;
        }
        space_.notify_all();
    }

    // Called after every successful push (from the decoder thread): wakes the consumer.
    void on_push(std::function<void()> wake) { wake_ = std::move(wake); }

    // Blocks while full. Drops the item and returns false if it is stale or the queue is aborted.
    bool push(Item item) {
        {
            std::unique_lock lock(mutex_);
            space_.wait(lock, [&] {
                return aborted_ || item.serial != serial_ || used_ < capacity_ || items_.empty();
            });
            if (aborted_ || item.serial != serial_) return false;
            used_ += cost_(item);
            items_.push_back(std::move(item));
        }
        if (wake_) wake_();
        return true;
    }

    // Non-blocking; consumer side.
    std::optional<Item> try_pop() {
        std::optional<Item> out;
        {
            std::lock_guard lock(mutex_);
            if (items_.empty()) return out;
            out.emplace(std::move(items_.front()));
            items_.pop_front();
            used_ -= cost_(*out);
        }
        space_.notify_all();
        return out;
    }

    // Calls fn(const Item*) with the head (or nullptr) under the lock; fn must be quick.
    template <class Fn>
    auto peek(Fn&& fn) const {
        std::lock_guard lock(mutex_);
        return fn(items_.empty() ? nullptr : &items_.front());
    }

    template <class Fn>
    auto peek_second(Fn&& fn) const {
        std::lock_guard lock(mutex_);
        return fn(items_.size() < 2 ? nullptr : &items_[1]);
    }

    void set_serial(int serial) {
        {
            std::lock_guard lock(mutex_);
            serial_ = serial;
            items_.clear();
            used_ = 0;
        }
        space_.notify_all();
    }

    int serial() const {
        std::lock_guard lock(mutex_);
        return serial_;
    }

    void abort() {
        {
            std::lock_guard lock(mutex_);
            aborted_ = true;
            items_.clear();
            used_ = 0;
        }
        space_.notify_all();
    }

private:
    size_t capacity_;
    const std::function<size_t(const Item&)> cost_;
    std::function<void()> wake_;
    mutable std::mutex mutex_;  // guards capacity_, items_, used_, serial_, aborted_
    std::condition_variable space_;
    std::deque<Item> items_;
    size_t used_ = 0;
    int serial_ = 0;
    bool aborted_ = false;
};

}  // namespace courtplay::player
