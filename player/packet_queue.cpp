#include "player/packet_queue.h"

namespace courtplay::player {

void PacketQueue::push(PacketItem item) {
    {
        std::lock_guard lock(mutex_);
        if (aborted_) return;
        if (item.packet) bytes_ += static_cast<size_t>(item.packet->size);
        items_.push_back(std::move(item));
    }
    ready_.notify_one();
}

std::optional<PacketItem> PacketQueue::pop() {
    std::optional<PacketItem> item;
    {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return aborted_ || !items_.empty(); });
        if (aborted_) return std::nullopt;
        item = std::move(items_.front());
        items_.pop_front();
        if (item->packet) bytes_ -= static_cast<size_t>(item->packet->size);
    }
    if (taken_) taken_();
    return item;
}

void PacketQueue::clear() {
    std::lock_guard lock(mutex_);
    items_.clear();
    bytes_ = 0;
}

void PacketQueue::abort() {
    {
        std::lock_guard lock(mutex_);
        aborted_ = true;
        items_.clear();
        bytes_ = 0;
    }
    ready_.notify_all();
}

size_t PacketQueue::count() const {
    std::lock_guard lock(mutex_);
    return items_.size();
}

size_t PacketQueue::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace courtplay::player
