#include "kiosk/app/court_cast.h"

#include <cstdio>

namespace courtplay::kiosk::app {
using Stage = CourtCastView::Stage;

CourtCast::~CourtCast() {
    join();
    if (paired_) paired_->end("the kiosk closed");
}

void CourtCast::join() {
    if (pairing_.joinable()) pairing_.join();
}

void CourtCast::pair(cast::PairingRequest request) {
    join();
    paired_.reset();
    {
        std::lock_guard hold(lock_);
        view_ = {Stage::pairing, request.receiver.host + ":" + std::to_string(request.receiver.port), {}};
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
    view_ = {Stage::failed, view_.receiver, "the court receiver ended the cast: " + *why};
    return why;
}

void CourtCast::end(const std::string& why) {
    join();
    if (paired() != nullptr) paired_->end(why);
    paired_.reset();
    std::lock_guard hold(lock_);
    view_ = {};
}

}  // namespace courtplay::kiosk::app
