// `--dump-presented DIR --dump-every N`: every Nth presented frame, exactly as shown (watermark
// included, at the video's own size), written as DIR/<frame number>.png. An output of the
// watermark stage like the screen. PNGs are encoded on a writer thread so playback keeps its pace;
// when the writer falls behind, presenting waits for it rather than skip a frame it was asked for.
//
// These files are pictures of the evidence, unencrypted: the folder and files are owner-only, the
// command says so on stderr, and a session records the dump as an output in the audit journal.
#pragma once

#include "player/player.h"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace courtplay::kiosk {

struct RgbPicture {
    int width = 0, height = 0;
    std::vector<uint8_t> pixels;  // RGB, 3 bytes a pixel, rows without padding
};

// The picture in RGB as the dump writes it (the colour matrix and range from the frame).
RgbPicture to_rgb24(const AVFrame& picture);
// Writes it as a PNG file, owner-only; what went wrong, in words, if it could not.
std::optional<std::string> write_png(const std::filesystem::path& file, const RgbPicture& picture);
// Reads a PNG back (tests compare dumped frames with decoded ones through the same conversion).
std::optional<RgbPicture> read_png(const std::filesystem::path& file);

class PresentedDump final : public player::VideoSink {
public:
    // Makes DIR (0700) when missing. Throws std::invalid_argument when it cannot be written.
    PresentedDump(std::filesystem::path dir, int every);
    ~PresentedDump() override;  // writes what is queued, then stops the writer
    PresentedDump(const PresentedDump&) = delete;
    PresentedDump& operator=(const PresentedDump&) = delete;

    void present(const player::VideoFrame& frame, const player::FramePosition& position) override;
    void repaint(const player::VideoFrame&, const player::FramePosition&, player::PictureRows) override {}
    // Waits for the queue to be written; the first failure ("the disk is full"), if any.
    std::optional<std::string> finish();

private:
    struct Job {
        std::shared_ptr<const AVFrame> picture;
        int64_t frame_number;
    };
    void write_all();

    std::filesystem::path dir_;
    int every_;
    int64_t presented_ = 0;  // presentations seen (main thread)
    std::mutex lock_;        // guards queue_, done_, failure_, closing_
    std::condition_variable changed_;
    std::deque<Job> queue_;
    bool writing_ = false;
    bool closing_ = false;
    std::optional<std::string> failure_;
    std::thread writer_;
};

}  // namespace courtplay::kiosk
