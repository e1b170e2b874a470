#include "server/rate_limit.h"

#include <algorithm>

namespace courtplay::server {

RateLimiter::RateLimiter(int max_failures, std::chrono::seconds window)
    : max_failures_(static_cast<size_t>(std::max(1, max_failures))), window_(window) {}

void RateLimiter::forget_old(std::deque<Clock::time_point>& failures, Clock::time_point now) const {
    while (!failures.empty() && now - failures.front() >= window_) failures.pop_front();
}

int RateLimiter::retry_after_s(const std::string& address, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = failures_.find(address);
    if (it == failures_.end()) return 0;
    forget_old(it->second, now);
    if (it->second.empty()) {
        failures_.erase(it);  // keeps the map from growing with every address ever seen
        return 0;
    }
    if (it->second.size() < max_failures_) return 0;
    // Allowed again once enough failures have aged out to leave fewer than max_failures_.
    const auto free_at = it->second[it->second.size() - max_failures_] + window_;
    const auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(free_at - now).count();
    return static_cast<int>(std::max<int64_t>(1, (wait_ms + 999) / 1000));
}

void RateLimiter::record_failure(const std::string& address, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto& failures = failures_[address];
    forget_old(failures, now);
    failures.push_back(now);
    // Only the newest max_failures_ can matter for the limit.
    while (failures.size() > max_failures_) failures.pop_front();
}

}  // namespace courtplay::server
