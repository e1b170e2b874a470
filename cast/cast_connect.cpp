#include "cast/cast_connect.h"

#include "files/thread_name.h"

namespace courtplay::cast {

CastConnect::CastConnect(CastOptions options, std::function<void()> wake) {
    options.give_up = give_up_;
    thread_ = std::thread([this, options = std::move(options), wake = std::move(wake)] {
        files::name_this_thread("cast-connect");
        try {
            sender_ = std::make_unique<CastSender>(options);
        } catch (const CastError& e) {
            failure_ = e.what();
        }
        done_ = true;
        if (wake) wake();
    });
}

CastConnect::~CastConnect() {
    if (!thread_.joinable()) return;  // taken: a sender made here streams on, untouched
    *give_up_ = true;
    thread_.join();
}

std::unique_ptr<CastSender> CastConnect::take() {
    if (thread_.joinable()) thread_.join();
    if (!sender_) throw CastError(failure_.empty() ? "the cast's connection was already taken" : failure_);
    return std::move(sender_);
}

}  // namespace courtplay::cast
