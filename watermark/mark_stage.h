// The one stage every output reads from: the player presents decoded frames here; the stage burns
// its marks into a copy at the video's own size and hands that copy to the outputs (the screen,
// courtroom displays, casting, the --dump-presented files). An output never sees an unmarked
// picture, and the decoded picture (what --frame-log hashes) is never changed.
//
//   Player ──present──> MarkStage ──copy (8-bit 4:2:0), burn every FrameMark──> outputs
//
// Main thread only.
#pragma once

#include "player/player.h"
#include "watermark/frame_mark.h"

#include <functional>
#include <vector>

struct SwsContext;

namespace courtplay::watermark {

// Microseconds since 1970, UTC: the time a watermark shows.
int64_t utc_now_us();

class MarkStage final : public player::VideoSink {
public:
    using WallClock = std::function<int64_t()>;
    explicit MarkStage(WallClock clock = utc_now_us);
    ~MarkStage() override;
    MarkStage(const MarkStage&) = delete;
    MarkStage& operator=(const MarkStage&) = delete;

    void add_mark(FrameMark* mark) { marks_.push_back(mark); }
    void add_output(player::VideoSink* output) { outputs_.push_back(output); }
    bool has_outputs() const { return !outputs_.empty(); }

    void present(const player::VideoFrame& frame, const player::FramePosition& position) override;
    // Burns the frame on screen again and repaints the outputs when a mark has moved on since
    // (the clock's second changed while paused). True when it did.
    bool refresh();
    // The picture the outputs were last given (marked), or null.
    const AVFrame* marked() const { return marked_.get(); }

private:
    player::FramePtr writable_copy(const AVFrame& decoded);
    void mark_and_send(bool repaint);

    WallClock clock_;
    std::vector<FrameMark*> marks_;
    std::vector<player::VideoSink*> outputs_;
    // Pictures handed out before: reused once every output has let go, so that a frame costs one
    // copy into memory already touched, not a fresh allocation.
    std::vector<player::FramePtr> pool_;
    SwsContext* sws_ = nullptr;  // for pictures that are not 8-bit 4:2:0
    player::VideoFrame shown_;   // as decoded
    bool shown_sent_ = false;    // the outputs have been given shown_ (marked)
    player::FramePosition position_;
    std::shared_ptr<const AVFrame> marked_;
};

}  // namespace courtplay::watermark
