// The encoder and muxer plumbing every generated clip shares (sample_clip.cpp, demo_clips.cpp):
// one output file, one encoder per stream, packets written as the encoders hand them over. What a
// clip shows and sounds like, and how its encoders are tuned, stays with the clip's own code.
// Internal to assets/.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "player/av_ptr.h"

extern "C" {
#include <libavformat/avformat.h>
}

namespace courtplay::assets {

// One encoder feeding one stream of the output.
struct Track {
  AVStream* stream = nullptr;
  player::CodecPtr enc;
  int64_t next = 0;   // pts of the next frame to send, in enc->time_base
  int64_t shift = 0;  // added to every packet's timestamps, in enc->time_base
  bool done = true;   // no such stream, or all its frames sent and its encoder drained
  // Video: the duration of the packet with this pts, in enc->time_base (0 = let the muxer guess).
  // Encoders leave it unset, and a guess from the next frame cuts the last frame of a VFR mp4.
  std::function<int64_t(int64_t pts)> duration_of;
};

class ClipWriter {
 public:
  // Allocates the output for `path`; `container` is a libavformat short name, or "" to guess it
  // from the file name. `what` names the clip in every error: "<what> '<path>': <reason>".
  ClipWriter(std::string what, std::string path, const std::string& container);
  // A clip not finished (an exception on the way) is removed: no half-written file is left for
  // a later test or a demo to trip over.
  ~ClipWriter();
  ClipWriter(const ClipWriter&) = delete;
  ClipWriter& operator=(const ClipWriter&) = delete;

  [[noreturn]] void fail(const std::string& reason) const;
  void check(int err, const std::string& doing) const;  // throws unless err >= 0
  void set_option(AVCodecContext* enc, const char* key, const std::string& value) const;

  AVFormatContext* output() const { return out_.get(); }
  std::string format_name() const { return out_->oformat->name; }

  // An encoder by name, checked to be of `type` and to fit the container. Configure it, then open().
  player::CodecPtr make_encoder(const std::string& name, AVMediaType type) const;
  // Opens the track's configured encoder and adds its stream; the track is then not done.
  void open(Track& track);

  // Creates the file and writes the container header: after every stream is added.
  void start();
  // Feeds the two tracks until both are done, whichever is behind in time first, so that the
  // muxer's interleaving queue stays short. Each send_* sends one frame, or flushes its encoder
  // and marks its track done.
  void interleave(Track& video, Track& audio, const std::function<void()>& send_video,
                  const std::function<void()>& send_audio);
  // Sends one frame (nullptr = flush) and writes every packet the encoder has ready.
  void encode(Track& track, const AVFrame* frame);
  // Writes the trailer and closes the file.
  void finish();

  // A writable frame of the encoder's picture size and format, or of `samples` audio samples.
  player::FramePtr picture_for(const AVCodecContext* enc) const;
  player::FramePtr audio_frame_for(const AVCodecContext* enc, int samples) const;

 private:
  struct OutputDeleter {
    void operator()(AVFormatContext* c) const;
  };

  std::string what_, path_;
  std::unique_ptr<AVFormatContext, OutputDeleter> out_;
  player::PacketPtr packet_{av_packet_alloc()};
  bool created_ = false, finished_ = false;
};

}  // namespace courtplay::assets
