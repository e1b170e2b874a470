// Decodes one audio stream on its own thread, converts it with libswresample to the device's
// format, trims it to the seek target, and changes its speed without changing pitch (libavfilter's
// atempo) when the playback rate is not 1.
#pragma once

#include "player/audio_chunk.h"
#include "player/frame_queue.h"
#include "player/packet_queue.h"
#include "player/tempo_filter.h"

#include <thread>

namespace courtplay::player {

using AudioChunkQueue = FrameQueue<AudioChunk>;

class AudioDecoder {
public:
    AudioDecoder(const AVStream* stream, const std::string& clip, AudioFormat device);
    ~AudioDecoder();
    AudioDecoder(const AudioDecoder&) = delete;
    AudioDecoder& operator=(const AudioDecoder&) = delete;

    void start(PacketQueue* in, AudioChunkQueue* out);
    void join();  // the queues must be aborted first

private:
    void run();
    void begin_serial(const PacketItem& item);
    bool convert(const AVFrame* frame);  // nullptr flushes the resampler
    bool deliver(std::vector<float> samples, Micros time);
    bool pull_tempo();
    bool push(AudioChunk chunk);

    const AVStream* stream_;
    CodecPtr codec_;
    const AudioFormat device_;
    PacketQueue* in_ = nullptr;
    AudioChunkQueue* out_ = nullptr;
    std::thread thread_;

    // Decoder thread only:
    int serial_ = -1;
    double rate_ = 1.0;
    Micros trim_before_ = kNoTime;  // drop sound before this time (the seek target)
    SwrPtr swr_;
    int swr_rate_ = 0, swr_format_ = -1;
    AVChannelLayout swr_layout_{};
    std::unique_ptr<TempoFilter> tempo_;
    Micros tempo_origin_ = kNoTime;  // media time of the first sample fed to the tempo graph
    int64_t tempo_frames_out_ = 0;
};

}  // namespace courtplay::player
