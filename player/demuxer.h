// Opens a clip through a Source and reads its packets on its own thread into one queue per
// decoded stream. Seeks are requested from the main thread and carried out here, the only producer,
// so that no packet read before a seek can carry the seek's new serial.
#pragma once

#include "player/av_ptr.h"
#include "player/packet_queue.h"
#include "player/source.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace courtplay::player {

struct ClipInfo {
    std::string name;
    std::string container;
    std::string video_codec;  // empty: no video
    std::string audio_codec;  // empty: no audio
    int width = 0, height = 0;
    int rotation = 0;               // degrees clockwise to turn the picture for display
    AVRational frame_rate{0, 1};    // nominal; {0,1} when unknown
    Micros start = 0;               // absolute time of the timeline's 0 (first video frame)
    Micros duration = kNoTime;
    std::string creation_time;      // ISO 8601 as the file states it; empty when absent
};

class Demuxer {
public:
    // Opens the clip. Throws OpenError naming the clip and the reason.
    explicit Demuxer(std::unique_ptr<Source> source);
    ~Demuxer();
    Demuxer(const Demuxer&) = delete;
    Demuxer& operator=(const Demuxer&) = delete;

    AVStream* video_stream() const { return video_; }
    AVStream* audio_stream() const { return audio_; }
    const ClipInfo& info() const { return info_; }
    // Called once the first video frame's time is known: the timeline's 0.
    void set_start(Micros start) { info_.start = start; }

    // Starts reading. A null queue means that stream is not wanted.
    void start(PacketQueue* video, PacketQueue* audio);
    // Lands the streams at `target` (absolute µs) under `serial`; the newest request wins.
    void seek(Micros target, int serial, double rate, bool whole);
    void stop();
    // From any thread: whether the demuxer has read to the end of the clip.
    bool read_to_end() const { return read_to_end_; }
    // From any thread: whether it holds the pictures from `from` (absolute) for `span` of media time,
    // has read to the end, or holds as much as it ever keeps ahead. (A stream that stopped delivering
    // and has started again: enough to go on with, rather than a frame at a time.)
    bool holds(Micros from, Micros span) const;

private:
    struct SeekRequest { Micros target; int serial; double rate; bool whole; };
    void run();
    void carry_out(const SeekRequest& request);
    bool queues_full() const;
    void push(AVStream* stream, PacketPtr packet);
    void push_end();

    std::unique_ptr<Source> source_;
    AvioPtr avio_;    // declared before input_: the input is closed first
    InputPtr input_;
    AVStream* video_ = nullptr;
    AVStream* audio_ = nullptr;
    ClipInfo info_;
    PacketQueue* video_queue_ = nullptr;
    PacketQueue* audio_queue_ = nullptr;

    // Demux thread only:
    int serial_ = 0;
    bool at_end_ = false;
    std::optional<SeekMark> video_mark_, audio_mark_;

    std::mutex mutex_;  // guards request_, stopping_
    std::condition_variable wake_;
    std::optional<SeekRequest> request_;
    bool stopping_ = false;
    std::atomic<bool> abort_io_{false};
    // Written by the demux thread, read by holds() and read_to_end().
    std::atomic<bool> read_to_end_{false};
    std::atomic<Micros> video_read_to_{kNoTime};  // the latest video packet time read (absolute)
    std::thread thread_;
};

}  // namespace courtplay::player
