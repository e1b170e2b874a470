#include "assets/clip_writer.h"

#include <filesystem>
#include <stdexcept>

extern "C" {
#include <libavutil/opt.h>
}

namespace courtplay::assets {

void ClipWriter::OutputDeleter::operator()(AVFormatContext* c) const {
  if (c->pb && !(c->oformat->flags & AVFMT_NOFILE)) avio_closep(&c->pb);
  avformat_free_context(c);
}

ClipWriter::ClipWriter(std::string what, std::string path, const std::string& container)
    : what_(std::move(what)), path_(std::move(path)) {
  if (!packet_) fail("out of memory");
  AVFormatContext* raw = nullptr;
  const char* name = container.empty() ? nullptr : container.c_str();
  const int err = avformat_alloc_output_context2(&raw, nullptr, name, path_.c_str());
  if (err < 0 || !raw) {
    fail(name ? "unknown container '" + container + "'"
              : "cannot tell the container from the file name; set a container");
  }
  out_.reset(raw);
}

ClipWriter::~ClipWriter() {
  const bool remove = created_ && !finished_;
  out_.reset();
  if (remove) {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
}

void ClipWriter::fail(const std::string& reason) const {
  throw std::runtime_error(what_ + " '" + path_ + "': " + reason);
}

void ClipWriter::check(int err, const std::string& doing) const {
  if (err < 0) fail(doing + ": " + player::av_error_text(err));
}

void ClipWriter::set_option(AVCodecContext* enc, const char* key, const std::string& value) const {
  check(av_opt_set(enc->priv_data, key, value.c_str(), 0),
        std::string("encoder option ") + key + "=" + value);
}

player::CodecPtr ClipWriter::make_encoder(const std::string& name, AVMediaType type) const {
  const AVCodec* codec = avcodec_find_encoder_by_name(name.c_str());
  if (!codec || codec->type != type) {
    fail("no " + std::string(av_get_media_type_string(type)) + " encoder named '" + name + "'");
  }
  // 0 = known not to fit; a negative answer means the muxer does not say (mpegts), so try.
  if (avformat_query_codec(out_->oformat, codec->id, FF_COMPLIANCE_NORMAL) == 0) {
    fail(std::string("container ") + out_->oformat->name + " cannot hold " + codec->name);
  }
  player::CodecPtr enc(avcodec_alloc_context3(codec));
  if (!enc) fail("out of memory");
  if (out_->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  return enc;
}

void ClipWriter::open(Track& track) {
  AVCodecContext* enc = track.enc.get();
  const std::string codec = enc->codec->name;
  check(avcodec_open2(enc, enc->codec, nullptr), "cannot open encoder " + codec);
  track.stream = avformat_new_stream(out_.get(), nullptr);
  if (!track.stream) fail("out of memory");
  track.stream->time_base = enc->time_base;  // a hint; the muxer may choose another in start()
  check(avcodec_parameters_from_context(track.stream->codecpar, enc), "stream parameters");
  track.done = false;
}

void ClipWriter::start() {
  if (!(out_->oformat->flags & AVFMT_NOFILE)) {
    check(avio_open(&out_->pb, path_.c_str(), AVIO_FLAG_WRITE), "cannot create file");
    created_ = true;
  }
  check(avformat_write_header(out_.get(), nullptr), "cannot write the container header");
}

void ClipWriter::interleave(Track& video, Track& audio, const std::function<void()>& send_video,
                            const std::function<void()>& send_audio) {
  while (!video.done || !audio.done) {
    const bool video_first =
        !video.done && (audio.done || av_compare_ts(video.next, video.enc->time_base, audio.next,
                                                    audio.enc->time_base) <= 0);
    if (video_first) {
      send_video();
    } else {
      send_audio();
    }
  }
}

void ClipWriter::encode(Track& track, const AVFrame* frame) {
  const std::string codec = track.enc->codec->name;
  check(avcodec_send_frame(track.enc.get(), frame), "encoding with " + codec);
  for (;;) {
    const int err = avcodec_receive_packet(track.enc.get(), packet_.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    check(err, "encoding with " + codec);
    if (track.duration_of) packet_->duration = track.duration_of(packet_->pts);
    if (track.shift != 0) {
      if (packet_->pts != AV_NOPTS_VALUE) packet_->pts += track.shift;
      if (packet_->dts != AV_NOPTS_VALUE) packet_->dts += track.shift;
    }
    av_packet_rescale_ts(packet_.get(), track.enc->time_base, track.stream->time_base);
    packet_->stream_index = track.stream->index;
    check(av_interleaved_write_frame(out_.get(), packet_.get()), "writing a packet");
  }
}

void ClipWriter::finish() {
  check(av_write_trailer(out_.get()), "cannot finish the file");
  out_.reset();  // closes the file
  finished_ = true;
}

player::FramePtr ClipWriter::picture_for(const AVCodecContext* enc) const {
  player::FramePtr f(av_frame_alloc());
  if (!f) fail("out of memory");
  f->format = enc->pix_fmt;
  f->width = enc->width;
  f->height = enc->height;
  f->color_range = enc->color_range;
  f->colorspace = enc->colorspace;
  check(av_frame_get_buffer(f.get(), 0), "picture buffer");
  return f;
}

player::FramePtr ClipWriter::audio_frame_for(const AVCodecContext* enc, int samples) const {
  player::FramePtr f(av_frame_alloc());
  if (!f) fail("out of memory");
  f->nb_samples = samples;
  f->format = enc->sample_fmt;
  f->sample_rate = enc->sample_rate;
  check(av_channel_layout_copy(&f->ch_layout, &enc->ch_layout), "layout");
  check(av_frame_get_buffer(f.get(), 0), "audio buffer");
  return f;
}

}  // namespace courtplay::assets
