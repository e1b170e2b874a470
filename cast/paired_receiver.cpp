#include "cast/paired_receiver.h"

#include "files/thread_name.h"

namespace courtplay::cast {
namespace {
using Type = ControlMessage::Type;
constexpr milliseconds kConnectLimit{5000};
// The receiver pauses before answering a wrong code; its answer comes well within this.
constexpr milliseconds kAnswerLimit{5000};
constexpr milliseconds kAlivePeriod{1000};

std::string where(const HostPort& at) { return at.host + ":" + std::to_string(at.port); }

ControlMessage expect_answer(TlsLink& link, const HostPort& at) {
    const std::optional<std::string> line = link.receive_line(kAnswerLimit);
    if (!line) throw CastError("the receiver at " + where(at) + " did not answer");
    return parse_message(*line);
}
}  // namespace

ReceiverStatus ask_receiver_status(const HostPort& receiver, const std::filesystem::path& court_ca) {
    std::unique_ptr<TlsLink> link = connect_tls(receiver, court_ca, kConnectLimit);
    link->send_line(simple_line(Type::status));
    const ControlMessage answer = expect_answer(*link, receiver);
    if (answer.type != Type::status)
        throw CastError("the receiver at " + where(receiver) + " did not answer the question (update it to this courtplay)");
    return {answer.reply.receiver, link->peer_common_name(), answer.casting};
}

PairedReceiver::PairedReceiver(const PairingRequest& request) : address_(request.receiver), key_(StreamKey::generate()) {
    const std::optional<std::string> code = normalize_pairing_code(request.code);
    if (!code)
        throw PairingRefused("wrong_code", "the pairing code must be the six digits shown on the courtroom screen");
    link_ = connect_tls(address_, request.court_ca, kConnectLimit);
    certified_as_ = link_->peer_common_name();
    PairRequest pair{*code, request.kiosk, request.party, request.expires_at};
    link_->send_line(pair_line(pair));
    const ControlMessage answer = expect_answer(*link_, address_);
    if (answer.type == Type::refused) {
        const std::string& r = answer.reply.refusal;
        if (r == "wrong_code")
            throw PairingRefused(r, "the screen " + certified_as_ + " at " + where(address_) +
                                        " refused the pairing code: it is not the code on that screen now. Read the "
                                        "code on the screen again (it changes after every try)");
        if (r == "busy")
            throw PairingRefused(r, "the screen " + certified_as_ + " at " + where(address_) +
                                        " is showing another kiosk's cast; end that cast first");
        throw PairingRefused(r, "the screen at " + where(address_) + " refused to pair (" + r + ")");
    }
    if (answer.type != Type::paired) throw CastError("the receiver at " + where(address_) + " answered out of turn");
    name_ = answer.reply.receiver;
    link_->send_line(key_line(key_));
    const ControlMessage ready = expect_answer(*link_, address_);
    if (ready.type != Type::ready)
        throw CastError("the receiver at " + where(address_) + " did not get ready for the stream" +
                        (ready.reason.empty() ? "" : ": " + ready.reason));
    alive_ = std::thread([this] {
        files::name_this_thread("cast-keepalive");
        keep_alive();
    });
}

PairedReceiver::~PairedReceiver() { end(); }

std::optional<std::string> PairedReceiver::ended() const {
    std::lock_guard lock(lock_);
    return ended_;
}

void PairedReceiver::keep_alive() {
    std::unique_lock lock(lock_);
    while (!ending_ && !ended_) {
        try {
            // What the receiver said first: having said why it ended, it closes, and a write
            // after that would report only a broken connection.
            while (!ended_) {
                const std::optional<std::string> line = link_->receive_line(milliseconds(0));
                if (!line) break;
                const ControlMessage m = parse_message(*line);
                if (m.type == Type::ended) ended_ = m.reason.empty() ? "the receiver ended the cast" : m.reason;
            }
            if (!ended_) link_->send_line(simple_line(Type::alive), kAlivePeriod);
        } catch (const CastError& e) {
            ended_ = std::string("the receiver went away (") + e.what() + ")";
        }
        wake_.wait_for(lock, kAlivePeriod, [this] { return ending_; });
    }
}

void PairedReceiver::end(const std::string& why) {
    {
        std::lock_guard lock(lock_);
        if (ending_) return;
        ending_ = true;
    }
    wake_.notify_all();
    if (alive_.joinable()) alive_.join();
    std::lock_guard lock(lock_);
    if (link_ && !ended_) {
        try {
            link_->send_line(simple_line(Type::stop, why), milliseconds(500));
        } catch (const CastError&) {
        }
    }
    link_.reset();
}

}  // namespace courtplay::cast
