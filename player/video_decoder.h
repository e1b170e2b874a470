// Decodes one video stream on its own thread. After a seek it decodes from the keyframe and holds
// each frame back until the next one shows whether it is the last at or before the target: that
// frame goes out as the Target, the ones before it as Preroll (the presenter keeps them so that a
// backward step does not decode the GOP again).
#pragma once

#include "player/frame_queue.h"
#include "player/packet_queue.h"
#include "player/picture_pool.h"
#include "player/video_frame.h"

#include <thread>

namespace courtplay::player {

using VideoFrameQueue = FrameQueue<VideoFrame>;

class VideoDecoder {
public:
    VideoDecoder(const AVStream* stream, const std::string& clip);
    ~VideoDecoder();
    VideoDecoder(const VideoDecoder&) = delete;
    VideoDecoder& operator=(const VideoDecoder&) = delete;

    void start(PacketQueue* in, VideoFrameQueue* out);
    // The in/out queues must be aborted first so the thread wakes.
    void join();

private:
    void run();
    void begin_serial(const PacketItem& item);
    bool skippable(const AVPacket& packet) const;
    bool receive_all();
    bool emit(FramePtr frame);
    bool push(std::shared_ptr<const AVFrame> picture, Micros time, Micros duration, VideoFrame::Kind kind);

    const AVStream* stream_;
    PicturePool pictures_;  // before codec_: the decoder draws on it until it is closed
    CodecPtr codec_;
    PacketQueue* in_ = nullptr;
    VideoFrameQueue* out_ = nullptr;
    std::thread thread_;

    // Decoder thread only:
    int serial_ = -1;
    Micros target_ = kNoTime;  // set while landing on a seek target
    bool whole_ = true;        // decode every frame before the target (SeekMark::whole)
    std::shared_ptr<const AVFrame> held_;  // best candidate for the target so far
    Micros held_time_ = kNoTime, held_duration_ = 0;
    Micros next_time_ = kNoTime;  // predicted time of the next frame, for frames with no timestamp
};

}  // namespace courtplay::player
