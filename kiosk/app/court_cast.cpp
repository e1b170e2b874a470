#include "kiosk/app/court_cast.h"

#include <cstdio>

namespace courtplay::kiosk::app {
using Stage = CourtCastView::Stage;

CourtCast::~CourtCast() {
    closing_.store(true);
    join();
    if (survey_.joinable()) survey_.join();
    if (paired_) paired_->end("the kiosk closed");
}

void CourtCast::join() {
    if (pairing_.joinable()) pairing_.join();
}

void CourtCast::survey(const std::vector<std::string>& addresses, const std::filesystem::path& court_ca) {
    if (surveying_.load()) return;
    if (survey_.joinable()) survey_.join();  // done: it returns at once
    surveying_.store(true);
    {
        std::lock_guard hold(lock_);
        view_.receivers.clear();
        for (const std::string& a : addresses) view_.receivers.push_back({a, ReceiverEntry::State::asking, {}});
    }
    survey_ = std::thread([this, addresses, court_ca] {
        for (size_t i = 0; i < addresses.size() && !closing_.load(); ++i) {
            ReceiverEntry got{addresses[i], ReceiverEntry::State::not_answering, {}};
            try {
                const cast::ReceiverStatus status =
                    cast::ask_receiver_status(cast::parse_host_port(addresses[i], "[cast] receivers"), court_ca);
                got.state = status.casting ? ReceiverEntry::State::in_use : ReceiverEntry::State::free;
                got.name = status.certified_as;
            } catch (const cast::CastError& e) {
                std::fprintf(stderr, "courtplay: court receiver %s: %s\n", addresses[i].c_str(), e.what());
            }
            {
                std::lock_guard hold(lock_);
                if (i < view_.receivers.size() && view_.receivers[i].address == got.address) view_.receivers[i] = got;
            }
            wake_();
        }
        surveying_.store(false);
    });
}

void CourtCast::pair(cast::PairingRequest request) {
    join();
    paired_.reset();
    {
        std::lock_guard hold(lock_);
        view_.stage = Stage::pairing;
        view_.receiver = request.receiver.host + ":" + std::to_string(request.receiver.port);
        view_.problem.clear();
        done_.reset();
    }
    pairing_ = std::thread([this, request = std::move(request)] {
        std::unique_ptr<cast::PairedReceiver> paired;
        std::string problem;
        try {
            paired = std::make_unique<cast::PairedReceiver>(request);
        } catch (const cast::CastError& e) {
            problem = e.what();
        }
        {
            std::lock_guard hold(lock_);
            if (paired) {
                view_.stage = Stage::paired;
                view_.receiver = paired->certified_as();
                done_ = std::move(paired);
            } else {
                view_.stage = Stage::failed;
                view_.problem = problem;
            }
        }
        wake_();
    });
}

CourtCastView CourtCast::view() const {
    std::lock_guard hold(lock_);
    return view_;
}

cast::PairedReceiver* CourtCast::paired() {
    if (!paired_) {
        std::lock_guard hold(lock_);
        paired_ = std::move(done_);
    }
    return paired_.get();
}

std::optional<std::string> CourtCast::check_ended() {
    cast::PairedReceiver* p = paired();
    if (!p) return std::nullopt;
    std::optional<std::string> why = p->ended();
    if (!why) return std::nullopt;
    paired_.reset();
    std::lock_guard hold(lock_);
    view_.stage = Stage::failed;
    view_.problem = "the court receiver ended the cast: " + *why;
    return why;
}

void CourtCast::end(const std::string& why) {
    join();
    if (paired() != nullptr) paired_->end(why);
    paired_.reset();
    std::lock_guard hold(lock_);
    view_.stage = Stage::none;
    view_.receiver.clear();
    view_.problem.clear();
}

}  // namespace courtplay::kiosk::app
