// The kiosk's side of pairing (docs/cast.md, "Pairing"): connects to a receiver over TLS 1.3,
// checks its certificate against the court CA, sends the code the clerk read off that screen,
// and on success hands it a fresh stream key. While the cast lasts it tells the receiver once a
// second that the kiosk is still there; the receiver ends the cast if it stops hearing that.
#pragma once

#include "cast/pairing.h"
#include "cast/tls_link.h"

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace courtplay::cast {

// The receiver said no: the code was not the one on its screen, or it is showing another cast.
struct PairingRefused : CastError {
    PairingRefused(std::string reason, const std::string& message) : CastError(message), reason(std::move(reason)) {}
    std::string reason;  // "wrong_code", "busy", "bad_request"
};

struct PairingRequest {
    HostPort receiver;
    std::string code;                // as typed
    std::filesystem::path court_ca;  // the receiver's certificate must chain to it
    std::string kiosk, party;
    int64_t expires_at = 0;          // Unix seconds
};

// What a receiver says of itself when asked (no pairing, nothing changes on its screen).
struct ReceiverStatus {
    std::string name;          // as its config names it
    std::string certified_as;  // its certificate's common name (checked against the court CA)
    bool casting = false;
};
// Connects as pairing would (the certificate checked the same way) and asks. Throws CastError.
ReceiverStatus ask_receiver_status(const HostPort& receiver, const std::filesystem::path& court_ca);

class PairedReceiver {
public:
    // Pairs, sends the key and waits for the receiver to be ready for the stream. Throws
    // PairingRefused, or CastError (unreachable, not a court screen, went away).
    explicit PairedReceiver(const PairingRequest& request);
    ~PairedReceiver();  // end()s
    PairedReceiver(const PairedReceiver&) = delete;
    PairedReceiver& operator=(const PairedReceiver&) = delete;

    const StreamKey& key() const { return key_; }
    const HostPort& address() const { return address_; }
    const std::string& name() const { return name_; }            // the receiver's own name
    const std::string& certified_as() const { return certified_as_; }  // its certificate's common name
    // Why the receiver ended the cast or went away, once it has.
    std::optional<std::string> ended() const;
    // Tells the receiver the cast is over and closes the channel. Idempotent.
    void end(const std::string& why = {});

private:
    void keep_alive();

    HostPort address_;
    StreamKey key_;
    std::string name_, certified_as_;

    mutable std::mutex lock_;  // guards link_ (its sends and reads) and ended_, ending_
    std::condition_variable wake_;
    std::unique_ptr<TlsLink> link_;
    std::optional<std::string> ended_;
    bool ending_ = false;
    std::thread alive_;
};

}  // namespace courtplay::cast
