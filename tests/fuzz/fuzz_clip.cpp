// libFuzzer target: arbitrary bytes as a clip. Opening, decoding, seeking and stepping must end in
// a clean OpenError or a clean end of playback: never a crash, a hang or a sanitizer report.
#include "player/errors.h"
#include "player/player.h"

#include <chrono>
#include <cstdint>
#include <thread>

using namespace courtplay::player;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    av_log_set_level(AV_LOG_QUIET);
    try {
        Player p(open_memory_source("fuzz", std::vector<uint8_t>(data, data + size)), PlayerOptions{},
                 [](AudioFormat f) { return open_silent_output(f); });
        p.start();
        p.pause();
        for (int i = 0; i < 8; ++i) p.step();
        p.seek(500000);
        for (int i = 0; i < 4; ++i) p.back();
        p.set_rate(2.0);
        p.step();
        // Bounded: a control waiting for a frame that never comes must not hang the fuzzer.
        for (int i = 0; i < 400 && p.busy(); ++i) {
            p.tick(monotonic_now());
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    } catch (const OpenError&) {
    }
    return 0;
}
