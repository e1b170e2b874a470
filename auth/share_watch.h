// Watches an open share: the grant's expiry by the kiosk's own clock, and revocation by asking
// the service every poll interval. When the share ends it calls `ended` once, from its own
// thread, and the session stops playback at once. A service that cannot be reached does not end
// the share (courtrooms lose their network); expiry still does. While the watch runs it owns
// `service` (its HTTPS client is not shared between threads): others must not call it.
#pragma once

#include "auth/share_service.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace courtplay::auth {

class ShareWatch {
public:
    using Ended = std::function<void(const Refusal& why)>;
    ShareWatch(ShareService& service, const Redemption& share, std::chrono::milliseconds poll, Ended ended);
    ~ShareWatch();  // stops the thread; `ended` is not called after this returns

    std::optional<Refusal> ended() const;
    // When the service was last reached (for the admin screen); nullopt if never since the start.
    std::optional<std::chrono::system_clock::time_point> last_contact() const;

private:
    void run();
    std::optional<Refusal> poll_once();

    ShareService& service_;
    const Redemption& share_;
    const std::chrono::milliseconds poll_;
    const Ended on_end_;

    mutable std::mutex state_lock_;  // guards everything below
    std::condition_variable wake_;
    bool stopping_ = false;
    std::optional<Refusal> ended_;
    std::optional<std::chrono::system_clock::time_point> last_contact_;
    std::thread thread_;  // last: starts after the members it uses
};

}  // namespace courtplay::auth
