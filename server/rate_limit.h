// Failed redemptions per client address, in a sliding window: after `max_failures` failures within
// `window`, the address is refused (429) until the oldest of them is `window` old. The limit is
// checked before the token is even looked at, so a refusal says nothing about the token.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace courtplay::server {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    RateLimiter(int max_failures, std::chrono::seconds window);

    // Seconds until `address` may try again (rounded up, at least 1), or 0 when it may try now.
    int retry_after_s(const std::string& address, Clock::time_point now = Clock::now());
    void record_failure(const std::string& address, Clock::time_point now = Clock::now());

private:
    void forget_old(std::deque<Clock::time_point>& failures, Clock::time_point now) const;  // holds mutex_

    const size_t max_failures_;
    const std::chrono::seconds window_;
    std::mutex mutex_;  // guards failures_
    std::map<std::string, std::deque<Clock::time_point>> failures_;  // per address, oldest first
};

}  // namespace courtplay::server
