// --frame-log: one line per frame put on screen, with the md5 of the picture exactly as decoded
// (planes packed without padding, the decoder's own pixel format): the value FFmpeg's framemd5
// muxer prints for the same frame, so any run can be checked against `ffmpeg -f framemd5`.
#pragma once

#include "player/player.h"

#include <cstdio>
#include <string>
#include <vector>

namespace courtplay::player {

// The md5 of a decoded picture as FFmpeg's framemd5 computes it (lowercase hex).
std::string picture_md5(const AVFrame* picture, std::vector<uint8_t>& scratch);

class FrameLog final : public VideoSink {
public:
    explicit FrameLog(std::FILE* out) : out_(out) {}
    void present(const VideoFrame& frame, const FramePosition& position) override;

private:
    std::FILE* out_;
    std::vector<uint8_t> scratch_;
};

// --audio-log: the moment each click in the sound is heard, and its media time. Test fixtures put
// clicks on known frames, so comparing this with the frame log measures A/V sync as heard.
class AudioLog final : public AudioObserver {
public:
    explicit AudioLog(std::FILE* out) : out_(out) {}
    void on_audio(const float* samples, int frames, const AudioFormat& format, Micros media, double rate,
                  Micros heard_at) override;

private:
    std::FILE* out_;
    int quiet_frames_ = 1 << 30;  // device thread only
};

}  // namespace courtplay::player
