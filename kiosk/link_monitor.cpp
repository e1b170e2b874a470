#include "kiosk/link_monitor.h"

#include "kiosk/exit_codes.h"

extern "C" {
#include <libavutil/error.h>
}

#include <cstdio>

namespace courtplay::kiosk {
using player::HttpsSource;

int report_stream_failure(const HttpsSource::Status& st, const std::string& title) {
    if (st.altered_chunk >= 0) {
        std::fprintf(stderr,
                     "courtplay: the share service sent different bytes for clip \"%s\" than were checked (part %lld, "
                     "from byte %lld); playback stopped. Nothing altered was shown. Tell court IT.\n",
                     title.c_str(), static_cast<long long>(st.altered_chunk + 1),
                     static_cast<long long>(st.altered_chunk * st.chunk_bytes));
        return exit_code::bad_media;
    }
    if (st.verification == HttpsSource::Verification::failed || st.error == AVERROR_INVALIDDATA) {
        std::fprintf(stderr, "courtplay: clip \"%s\": %s. It will not be played. Tell court IT.\n", title.c_str(),
                     st.reason.c_str());
        return exit_code::bad_media;
    }
    std::fprintf(stderr, "courtplay: clip \"%s\": %s\n", title.c_str(), st.reason.c_str());
    return st.error == AVERROR(EPROTO) ? exit_code::network : exit_code::refused;
}

LinkMonitor::LinkMonitor(HttpsSource& stream, std::chrono::seconds give_up, std::function<void()> on_give_up)
    : stream_(stream), give_up_(give_up), on_give_up_(std::move(on_give_up)), thread_([this] { run(); }) {}

LinkMonitor::~LinkMonitor() {
    done_ = true;
    thread_.join();
}

void LinkMonitor::run() {
    using namespace std::chrono;
    auto last = HttpsSource::Link::streaming;
    steady_clock::time_point down_since{};
    // One last look after done_, so that a link that came back just before the end is reported.
    for (bool last_look = false; !last_look;) {
        last_look = done_;
        const HttpsSource::Status st = stream_.status();
        if (st.link != last) {
            if (st.link == HttpsSource::Link::reconnecting) {
                std::fprintf(stderr, "courtplay: %s\n", st.reason.c_str());
                down_since = steady_clock::now();
            } else if (st.link == HttpsSource::Link::streaming) {
                std::fprintf(stderr, "courtplay: reconnected; the clip continues\n");
            }
            last = st.link;
        }
        if (st.link == HttpsSource::Link::reconnecting && !playing_ && steady_clock::now() - down_since > give_up_) {
            gave_up_ = true;
            if (on_give_up_) on_give_up_();
            stream_.interrupt();
            return;
        }
        if (!last_look) std::this_thread::sleep_for(milliseconds(100));
    }
}

}  // namespace courtplay::kiosk
