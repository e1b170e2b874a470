// The receiver's side of pairing (docs/cast.md, "Pairing"): listens for kiosks on the control
// channel (TLS 1.3), shows a fresh pairing code while idle, pairs the kiosk that sends that code,
// takes the stream key from it, and keeps the cast alive while the kiosk is there. A second kiosk
// is refused while a cast is on. What the screen shows and the SRT stream itself belong to the
// app, told through ReceiverEvents.
//
// One thread: run() until stop(). The events are called on that thread.
#pragma once

#include "cast/pairing.h"
#include "cast/tls_link.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

namespace courtplay::cast {

struct CastStart {
    std::string kiosk, party;
    StreamKey key;
    int64_t expires_at = 0;
};

class ReceiverEvents {
public:
    virtual ~ReceiverEvents() = default;
    // A new pairing code to show (at start, after each pairing and after each wrong try).
    virtual void on_pairing_code(const std::string& code) = 0;
    // A kiosk paired: start listening for its streams with this key before returning (the kiosk
    // connects as soon as it hears the receiver is ready). One pairing may carry several streams,
    // one after another (a clip each): listen again when one ends, until on_cast_ended.
    virtual void on_cast_started(const CastStart& cast) = 0;
    // The cast is over: stop showing it. `why` in words ("the kiosk ended the cast", ...).
    virtual void on_cast_ended(const std::string& why) = 0;
    // Each turn of the control loop (at least every few hundred ms): it is alive (a watchdog).
    virtual void on_turn() {}
};

struct ReceiverControlOptions {
    HostPort listen;
    std::filesystem::path certificate, private_key;
    std::string name;  // the receiver's name, told to the kiosk
    // No message from the kiosk for this long ends the cast (it sends one a second).
    std::chrono::milliseconds kiosk_silence_limit{5000};
    // After a wrong code: the wait before the answer, so codes cannot be tried quickly.
    std::chrono::milliseconds wrong_code_pause{1000};
};

class ReceiverControl {
public:
    // Listens at once; throws CastError (the port taken, the certificate or key unreadable).
    ReceiverControl(ReceiverControlOptions options, ReceiverEvents& events);
    ~ReceiverControl();

    void run();
    void stop() { stop_.store(true); }  // any thread; async-signal-safe
    // The stream cannot be received (its port taken): end the cast. Any thread. A stream that
    // simply ends does not end the cast: the kiosk sends each clip as a stream of its own while
    // the pairing lasts.
    void stream_failed() { stream_failed_.store(true); }

private:
    void handle_newcomer(std::unique_ptr<TlsLink> link);
    void pair(std::unique_ptr<TlsLink> link, const PairRequest& request);
    void end_cast(const std::string& why);
    void new_code();

    ReceiverControlOptions options_;
    ReceiverEvents& events_;
    TlsListener listener_;
    std::string code_;
    std::unique_ptr<TlsLink> kiosk_;  // the paired kiosk's link, while a cast is on
    int64_t expires_at_ = 0;
    std::chrono::steady_clock::time_point kiosk_heard_at_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> stream_failed_{false};
};

}  // namespace courtplay::cast
