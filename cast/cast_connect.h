// A cast's stream connected beside the caller's loop. SRT's handshake takes milliseconds with a
// receiver that is there, and up to its connect timeout (3 s) with one that has just gone: the
// kiosk's controls must not wait for it.
#pragma once

#include "cast/cast_sender.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace courtplay::cast {

class CastConnect {
public:
    // Starts connecting at once; `wake` is called (on the connecting thread) when it is done.
    CastConnect(CastOptions options, std::function<void()> wake);
    ~CastConnect();  // a connection still being made is given up (within 0.1 s), then joined
    CastConnect(const CastConnect&) = delete;
    CastConnect& operator=(const CastConnect&) = delete;

    bool done() const { return done_; }
    // Once done(): the connected sender, or throws CastError saying why there is none.
    std::unique_ptr<CastSender> take();

private:
    // Shared with the sender's options: libavformat keeps looking at it for as long as it sends.
    std::shared_ptr<std::atomic<bool>> give_up_ = std::make_shared<std::atomic<bool>>(false);
    std::atomic<bool> done_{false};
    std::unique_ptr<CastSender> sender_;  // written by the thread before done_, read after
    std::string failure_;                 // likewise
    std::thread thread_;
};

}  // namespace courtplay::cast
