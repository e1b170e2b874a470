// Receivers on the court's network by DNS-SD (mDNS, through avahi-daemon, docs/cast.md):
// a receiver announces itself as a `_courtplay-rx._tcp` service named as its config names it, on
// its port (the control channel's TCP port; the stream is UDP on the same number), with TXT
// "v=1"; a kiosk looks for them. Announcing is best effort: without avahi-daemon a receiver still
// pairs with kiosks that list it in [cast] receivers.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace courtplay::cast {

inline constexpr char kReceiverServiceType[] = "_courtplay-rx._tcp";

class ReceiverAnnouncement {
public:
    // Starts announcing on avahi's own thread; never throws.
    ReceiverAnnouncement(const std::string& name, int port);
    ~ReceiverAnnouncement();  // withdraws the announcement
    ReceiverAnnouncement(const ReceiverAnnouncement&) = delete;
    ReceiverAnnouncement& operator=(const ReceiverAnnouncement&) = delete;

    // Why the receiver is not announced (avahi-daemon not running, ...), once that is known.
    std::optional<std::string> problem() const;

    struct State;

private:
    std::unique_ptr<State> state_;
};

struct FoundReceiver {
    std::string name;     // as announced
    std::string host;     // its mDNS host name, e.g. "court3-left.local"
    std::string address;  // an IPv4 or IPv6 address it has
    int port = 0;
};

// Looks for receivers for up to `wait` (less once avahi has listed them all and each is
// resolved), each address once, sorted by name. Throws CastError when avahi-daemon cannot be reached.
std::vector<FoundReceiver> find_receivers(std::chrono::milliseconds wait);

}  // namespace courtplay::cast
