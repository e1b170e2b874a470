#include "cast/receiver_control.h"

#include <poll.h>

#include <ctime>
#include <thread>

namespace courtplay::cast {
namespace {
using Clock = std::chrono::steady_clock;
using Type = ControlMessage::Type;
constexpr milliseconds kHandshakeLimit{3000};  // a newcomer's TLS handshake and first message
constexpr milliseconds kTick{100};             // how often stop(), expiry and silence are looked at
}  // namespace

ReceiverControl::ReceiverControl(ReceiverControlOptions options, ReceiverEvents& events)
    : options_(std::move(options)), events_(events),
      listener_(options_.listen, options_.certificate, options_.private_key) {}

ReceiverControl::~ReceiverControl() = default;

void ReceiverControl::new_code() {
    code_ = new_pairing_code();
    events_.on_pairing_code(code_);
}

void ReceiverControl::run() {
    new_code();
    while (!stop_.load()) {
        events_.on_turn();
        pollfd fds[2] = {{listener_.fd(), POLLIN, 0}, {kiosk_ ? kiosk_->fd() : -1, POLLIN, 0}};
        const int n = ::poll(fds, 2, static_cast<int>(kTick.count()));
        if (n > 0 && (fds[0].revents & POLLIN)) {
            if (std::unique_ptr<TlsLink> link = listener_.accept(kHandshakeLimit)) handle_newcomer(std::move(link));
        }
        if (!kiosk_) continue;
        // TLS may hold a whole message already read from the socket: always ask, without waiting.
        try {
            while (std::optional<std::string> line = kiosk_->receive_line(milliseconds(0))) {
                kiosk_heard_at_ = Clock::now();
                const ControlMessage m = parse_message(*line);
                if (m.type == Type::stop) {
                    end_cast(m.reason.empty() ? "the kiosk ended the cast" : "the kiosk ended the cast: " + m.reason);
                    break;
                }
            }
        } catch (const CastError& e) {
            end_cast(std::string("the kiosk went away (") + e.what() + ")");
            continue;
        }
        if (!kiosk_) continue;
        if (stream_failed_.exchange(false)) end_cast("the stream could not be received");
        else if (Clock::now() - kiosk_heard_at_ > options_.kiosk_silence_limit) end_cast("the kiosk stopped answering");
        else if (std::time(nullptr) >= expires_at_) end_cast("the share's time is up");
    }
    if (kiosk_) end_cast("the receiver is shutting down");
}

void ReceiverControl::handle_newcomer(std::unique_ptr<TlsLink> link) {
    try {
        const std::optional<std::string> line = link->receive_line(kHandshakeLimit);
        if (!line) return;
        const ControlMessage m = parse_message(*line);
        if (m.type == Type::status) {  // court IT's check (`courtplay receivers`): changes nothing
            link->send_line(status_line(options_.name, kiosk_ != nullptr));
            return;
        }
        if (m.type != Type::pair) {
            link->send_line(refused_line("bad_request"));
            return;
        }
        if (kiosk_) {
            // Another kiosk is casting here: refused without a word about the code, which stays.
            link->send_line(refused_line("busy"));
            return;
        }
        pair(std::move(link), m.pair);
    } catch (const CastError& e) {
        // A newcomer that speaks nonsense or goes away changes nothing here.
        try {
            if (link) link->send_line(refused_line("bad_request"), milliseconds(200));
        } catch (const CastError&) {
        }
    }
}

void ReceiverControl::pair(std::unique_ptr<TlsLink> link, const PairRequest& request) {
    const std::optional<std::string> typed = normalize_pairing_code(request.code);
    if (!typed || !same_pairing_code(*typed, code_)) {
        // Each try is against a fresh code, answered after a pause: guessing gets nowhere.
        new_code();
        std::this_thread::sleep_for(options_.wrong_code_pause);
        link->send_line(refused_line("wrong_code"));
        return;
    }
    link->send_line(paired_line(options_.name));
    const std::optional<std::string> line = link->receive_line(kHandshakeLimit);
    if (!line) return;
    const ControlMessage m = parse_message(*line);
    if (m.type != Type::key || !m.key) {
        link->send_line(refused_line("bad_request"));
        return;
    }
    code_.clear();  // used: the next pairing gets a new one
    stream_failed_.store(false);
    events_.on_cast_started(CastStart{request.kiosk, request.party, *m.key, request.expires_at});
    kiosk_ = std::move(link);
    expires_at_ = request.expires_at;
    kiosk_heard_at_ = Clock::now();
    try {
        kiosk_->send_line(simple_line(Type::ready));
    } catch (const CastError& e) {
        end_cast(std::string("the kiosk went away (") + e.what() + ")");
    }
}

void ReceiverControl::end_cast(const std::string& why) {
    if (!kiosk_) return;
    try {
        kiosk_->send_line(simple_line(Type::ended, why), milliseconds(200));
    } catch (const CastError&) {
    }
    kiosk_.reset();
    events_.on_cast_ended(why);
    new_code();
}

}  // namespace courtplay::cast
