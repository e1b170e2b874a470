// Says on stderr when the link to the server drops and comes back, and gives up on a server that
// stays unreachable for `give_up`: in a session only while nothing is on screen yet (a clip being
// checked or cached; once playing() the stream keeps trying and playback resumes on its own), at
// a command line (`play https://`, never playing()) at any time.
#pragma once

#include "player/https_source.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace courtplay::kiosk {

// Says why a stream failed (not the original, TLS, a refusal) and returns the exit code for it.
int report_stream_failure(const player::HttpsSource::Status& st, const std::string& title);

class LinkMonitor {
public:
    // `on_give_up` (optional) runs on the monitor's thread when it gives up, before the stream is
    // interrupted.
    LinkMonitor(player::HttpsSource& stream, std::chrono::seconds give_up, std::function<void()> on_give_up = {});
    ~LinkMonitor();
    void playing() { playing_ = true; }
    bool gave_up() const { return gave_up_; }

private:
    void run();

    player::HttpsSource& stream_;
    const std::chrono::seconds give_up_;
    const std::function<void()> on_give_up_;
    std::atomic<bool> done_{false}, playing_{false}, gave_up_{false};
    std::thread thread_;  // last: starts once the members it reads exist
};

}  // namespace courtplay::kiosk
