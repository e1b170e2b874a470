// The kiosk app's cast to a courtroom receiver ([cast] receivers, and with [cast] find_receivers
// those announced on the network): the clerk picks one and types
// the code on its screen; pairing (up to some seconds on the network) runs on a thread of its
// own while the console goes on. One pairing lasts the session, or until the clerk stops it or
// the receiver ends it, and carries each clip the grant lets go to court as a stream of its own
// (ClipPlayer::cast_to). Made and asked on the main thread.
#pragma once

#include "cast/paired_receiver.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace courtplay::kiosk::app {

// One of the courtroom's receivers as it answered the kiosk's question (its name, whether in use).
struct ReceiverEntry {
    std::string address;  // HOST:PORT: as configured, or where one found on the network answered
    enum class State { asking, free, in_use, not_answering } state = State::asking;
    std::string name;      // its certificate's name, once it answered
    std::string found_as;  // found on the network: the mDNS host name its certificate must name
    bool operator==(const ReceiverEntry&) const = default;
    // Where to pair with it, and the name its certificate must prove.
    cast::HostPort to() const;
};

struct CourtCastView {
    enum class Stage { none, pairing, paired, failed } stage = Stage::none;
    std::string receiver;  // the address chosen; once paired, the receiver's name
    std::string problem;   // failed: why, in the clerk's words
    std::vector<ReceiverEntry> receivers;  // the last survey: the configured ones, then those found
    bool looking = false;                  // still looking on the network
};

class CourtCast {
public:
    // `wake` is called (any thread) when pairing is done either way.
    explicit CourtCast(std::function<void()> wake) : wake_(std::move(wake)) {}
    ~CourtCast();
    CourtCast(const CourtCast&) = delete;
    CourtCast& operator=(const CourtCast&) = delete;

    // Asks each receiver who it is and whether it is in use, on a thread (a few seconds at most
    // for one that does not answer); the view's `receivers` fill in as they answer. With `find`,
    // then looks on the network (DNS-SD, 2 s) and adds those announced there that are not
    // configured, each asked the same way. While one survey is still asking, another is not started.
    void survey(const std::vector<std::string>& addresses, const std::filesystem::path& court_ca, bool find);
    // Starts pairing (nothing else may be paired or pairing).
    void pair(cast::PairingRequest request);
    CourtCastView view() const;
    // The pairing, once paired (main thread; valid until end() or the next pair()).
    cast::PairedReceiver* paired();
    // The receiver ended the cast or went away: forgets the pairing, and says why. Call each turn.
    std::optional<std::string> check_ended();
    // Ends the pairing (the clerk stopped it, or the session ended); forgets a failure.
    void end(const std::string& why);

private:
    void join();
    void find_on_network(const std::vector<std::string>& configured, const std::filesystem::path& court_ca);
    void answered(size_t at, const ReceiverEntry& got);

    std::function<void()> wake_;
    mutable std::mutex lock_;  // guards view_ and done_ (the pairing thread writes them)
    CourtCastView view_;
    std::unique_ptr<cast::PairedReceiver> done_;  // handed over by the pairing thread
    std::unique_ptr<cast::PairedReceiver> paired_;  // main thread's, once taken from done_
    std::thread pairing_;
    std::thread survey_;
    std::atomic<bool> surveying_{false};  // survey_ is still asking
    std::atomic<bool> closing_{false};    // the survey stops before its next receiver
};

}  // namespace courtplay::kiosk::app
