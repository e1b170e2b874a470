#include "auth/share_watch.h"

#include "auth/court_time.h"
#include "files/thread_name.h"
#include "files/wipe_stack.h"

namespace courtplay::auth {
ShareWatch::ShareWatch(ShareService& service, const Redemption& share, std::chrono::milliseconds poll, Ended ended)
    : service_(service), share_(share), poll_(poll), on_end_(std::move(ended)), thread_([this] {
          files::name_this_thread("share-watch");
          run();
          files::wipe_stack_below();  // the status requests' frames: the share's address
      }) {}

ShareWatch::~ShareWatch() {
    {
        std::lock_guard lock(state_lock_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

std::optional<Refusal> ShareWatch::ended() const {
    std::lock_guard lock(state_lock_);
    return ended_;
}

std::optional<std::chrono::system_clock::time_point> ShareWatch::last_contact() const {
    std::lock_guard lock(state_lock_);
    return last_contact_;
}

std::optional<Refusal> ShareWatch::poll_once() {
    if (share_.status_url.empty()) return std::nullopt;  // a grant kept with cached clips, used offline: expiry only
    try {
        const ShareState state = service_.status(share_);
        {
            std::lock_guard lock(state_lock_);
            last_contact_ = std::chrono::system_clock::now();
        }
        if (state == ShareState::revoked)
            return Refusal{"revoked", "This share has been withdrawn by the party that shared it. Playback has stopped."};
        if (state == ShareState::expired)
            return Refusal{"expired", "This share expired on " + uk_date_time(share_.grant.expires_at) +
                                          ". Playback has stopped."};
    } catch (const NetworkError&) {
        // Offline: keep the session; the grant's own expiry still applies below.
    }
    return std::nullopt;
}

void ShareWatch::run() {
    using namespace std::chrono;
    // Expiry is exact to the second by the kiosk's clock, without the clock-skew allowance:
    // the allowance is for clocks that disagree at redemption, not extra viewing time.
    const auto expires = system_clock::time_point(seconds(share_.grant.expires_at));
    auto next_poll = steady_clock::now() + poll_;
    std::unique_lock lock(state_lock_);
    while (!stopping_) {
        std::optional<Refusal> why;
        if (system_clock::now() >= expires) {
            why = check_grant_now(share_.grant, GrantCheck{unix_now(), 0, share_.grant.kiosk.value_or("")});
        } else if (steady_clock::now() >= next_poll) {
            lock.unlock();
            why = poll_once();
            lock.lock();
            next_poll = steady_clock::now() + poll_;
        }
        if (why && !stopping_) {
            ended_ = why;
            lock.unlock();
            on_end_(*why);
            return;
        }
        // Wake for whichever comes first: the next poll or the moment of expiry.
        const auto until_expiry = duration_cast<milliseconds>(expires - system_clock::now());
        const auto until_poll = duration_cast<milliseconds>(next_poll - steady_clock::now());
        wake_.wait_for(lock, std::max(milliseconds(1), std::min(until_expiry, until_poll)));
    }
}

}  // namespace courtplay::auth
