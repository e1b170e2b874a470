#include "assets/sample_clip.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <type_traits>

#include "assets/clip_writer.h"
#include "assets/frame_code.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
}

namespace courtplay::assets {
namespace {

using player::FramePtr;

// ---- errors before the writer exists ----------------------------------------------------------

[[noreturn]] void fail(const SampleSpec& spec, const std::string& what) {
  throw std::runtime_error("sample clip '" + spec.path + "': " + what);
}

// ---- what the spec asks for ------------------------------------------------------------------

// Irregular on purpose: a player that assumes a fixed frame duration shows it at once.
constexpr std::array<int64_t, 7> kVfrPattern = {1, 2, 1, 3, 1, 1, 2};

constexpr double kClickSeconds = 0.004;
constexpr double kClickHz = 2000.0;
constexpr double kClickAmplitude = 0.8;

void validate(const SampleSpec& spec) {
  if (spec.path.empty()) fail(spec, "no output path");
  if (spec.video_codec.empty() && spec.audio_codec.empty()) fail(spec, "neither video nor audio");
  if (!(spec.seconds > 0) || spec.seconds > 24 * 3600) fail(spec, "seconds must be in (0, 86400]");
  if (!spec.video_codec.empty()) {
    if (spec.width < 36 || spec.height < 24 || spec.width > 8192 || spec.height > 8192) {
      fail(spec, "size " + std::to_string(spec.width) + "x" + std::to_string(spec.height) +
                     " is outside 36x24 .. 8192x8192");
    }
    if (spec.fps_num <= 0 || spec.fps_den <= 0) fail(spec, "frame rate must be positive");
    if (spec.gop < 1) fail(spec, "gop must be at least 1");
    if (spec.video_bitrate < 0) fail(spec, "video bitrate must not be negative");
    if (spec.rotation != 0 && spec.rotation != 90 && spec.rotation != 180 && spec.rotation != 270) {
      fail(spec, "rotation must be 0, 90, 180 or 270");
    }
  }
  if (!spec.audio_codec.empty()) {
    if (spec.sample_rate < 8000 || spec.sample_rate > 192000) fail(spec, "sample rate out of range");
    if (spec.channels < 1 || spec.channels > 8) fail(spec, "channels must be 1..8");
    if (spec.click_every != 0 && !(spec.click_every >= 0.01)) {
      fail(spec, "click_every must be 0 or at least 0.01 s");
    }
  }
}

// ---- video -----------------------------------------------------------------------------------

bool is_x26x(const AVCodec* codec) {
  return codec->id == AV_CODEC_ID_H264 || codec->id == AV_CODEC_ID_HEVC;
}

bool supports(const AVPixelFormat* list, AVPixelFormat fmt) {
  for (; list && *list != AV_PIX_FMT_NONE; ++list) {
    if (*list == fmt) return true;
  }
  return false;
}

AVPixelFormat choose_pixel_format(const ClipWriter& out, const SampleSpec& spec, const AVCodec* codec) {
  const bool odd = (spec.width | spec.height) & 1;
  std::vector<AVPixelFormat> wanted;
  if (codec->id == AV_CODEC_ID_MJPEG) wanted.push_back(AV_PIX_FMT_YUVJ420P);
  // x264 and x265 refuse odd sizes in 4:2:0 (chroma would need half pixels); 4:4:4 has none.
  if (!(odd && is_x26x(codec))) wanted.push_back(AV_PIX_FMT_YUV420P);
  wanted.push_back(AV_PIX_FMT_YUV444P);
  for (AVPixelFormat fmt : wanted) {
    if (!codec->pix_fmts || supports(codec->pix_fmts, fmt)) return fmt;
  }
  out.fail(std::string("encoder ") + codec->name + " takes none of yuv420p, yuvj420p, yuv444p" +
           (odd ? " at an odd size" : ""));
}

void configure_video(const ClipWriter& out, const SampleSpec& spec, AVCodecContext* enc) {
  const AVCodec* codec = enc->codec;
  enc->width = spec.width;
  enc->height = spec.height;
  enc->pix_fmt = choose_pixel_format(out, spec, codec);
  if (enc->pix_fmt == AV_PIX_FMT_YUVJ420P) enc->color_range = AVCOL_RANGE_JPEG;
  enc->time_base = AVRational{spec.fps_den, spec.fps_num};  // one tick = one base interval
  enc->framerate = AVRational{spec.fps_num, spec.fps_den};
  enc->gop_size = spec.gop;
  enc->keyint_min = spec.gop;
  enc->thread_count = 0;  // auto: a 1080p clip for the benchmark needs both cores
  if (spec.video_bitrate > 0) enc->bit_rate = spec.video_bitrate;

  const std::string gop = std::to_string(spec.gop);
  if (is_x26x(codec)) {
    // Benchmark clips (a bitrate is given) want realistic encodes; test clips want speed.
    // ultrafast alone would drop B-frames, so they are put back: players must cope with reordering.
    out.set_option(enc, "preset", spec.video_bitrate > 0 ? "veryfast" : "ultrafast");
    std::string params = "keyint=" + gop + ":min-keyint=" + gop + ":scenecut=0:bframes=3";
    if (codec->id == AV_CODEC_ID_HEVC) {
      // x265 defaults to open GOPs (CRA keyframes) and prints a banner on stderr.
      out.set_option(enc, "x265-params", params + ":open-gop=0:log-level=error");
    } else {
      out.set_option(enc, "x264-params", params);
    }
  } else if (codec->id == AV_CODEC_ID_VP9 || codec->id == AV_CODEC_ID_VP8) {
    out.set_option(enc, "deadline", "realtime");
    out.set_option(enc, "cpu-used", "8");
    if (spec.video_bitrate == 0) out.set_option(enc, "crf", "32");  // with bit_rate 0: constant quality
  } else if (spec.video_bitrate == 0 &&
             (codec->id == AV_CODEC_ID_MPEG4 || codec->id == AV_CODEC_ID_MJPEG ||
              codec->id == AV_CODEC_ID_MPEG2VIDEO || codec->id == AV_CODEC_ID_MPEG1VIDEO)) {
    // Their default is a fixed 200 kb/s, ugly at large sizes; a fixed quantiser scales with size.
    enc->flags |= AV_CODEC_FLAG_QSCALE;
    enc->global_quality = FF_QP2LAMBDA * 4;
  }
}

// The end of the video in ticks (base intervals): seconds * fps, rounded, and at least one frame.
int64_t end_tick(const SampleSpec& spec) {
  return std::max<int64_t>(1, std::llround(spec.seconds * spec.fps_num / spec.fps_den));
}

// Frame presentation times in ticks.
std::vector<int64_t> frame_ticks(const SampleSpec& spec) {
  std::vector<int64_t> ticks;
  for (int64_t t = 0, i = 0; t < end_tick(spec);
       t += spec.vfr ? kVfrPattern[i++ % kVfrPattern.size()] : 1) {
    ticks.push_back(t);
  }
  return ticks;
}

// Paints frame `index` shown at `tick`: the frame code on top, and below it a diagonal gradient
// and a box that both move with time, so encoders have real motion to predict.
void paint_picture(AVFrame* f, int index, int64_t tick) {
  const int w = f->width, h = f->height;
  const int band = frame_code_band_height(w, h);
  const auto* desc = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(f->format));
  const int sx = desc->log2_chroma_w, sy = desc->log2_chroma_h;
  const int t = static_cast<int>(tick % 100000);

  // Luma: each row is a shifted window into one precomputed ramp, so a 1080p frame is just
  // 1080 memcpy calls and the benchmark's generation time is the encoder's.
  constexpr int kPeriod = 160;
  std::vector<uint8_t> ramp(static_cast<size_t>(w) + kPeriod);
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<uint8_t>(40 + i % kPeriod);
  for (int y = band; y < h; ++y) {
    const int shift = (y / 2 + 3 * t) % kPeriod;
    std::memcpy(f->data[0] + static_cast<ptrdiff_t>(y) * f->linesize[0], ramp.data() + shift, w);
  }
  const int box_w = std::max(4, w / 6), box_h = std::max(2, (h - band) / 4);
  const int box_x = (7 * t) % std::max(1, w - box_w);
  const int box_y = band + (3 * t) % std::max(1, h - band - box_h);
  for (int y = box_y; y < box_y + box_h; ++y) {
    std::memset(f->data[0] + static_cast<ptrdiff_t>(y) * f->linesize[0] + box_x, 225, box_w);
  }
  draw_frame_code(f->data[0], f->linesize[0], w, h, index);

  // Chroma: neutral behind the code (so it reads as grey in RGB too), slowly shifting colour below.
  const int cw = AV_CEIL_RSHIFT(w, sx), ch = AV_CEIL_RSHIFT(h, sy);
  const int chroma_band = AV_CEIL_RSHIFT(band, sy);
  for (int plane = 1; plane <= 2; ++plane) {
    for (int y = 0; y < ch; ++y) {
      const int value = y < chroma_band ? 128
                        : plane == 1    ? 64 + ((y << sy) / 4 + t) % 128
                                        : 96 + (5 * t) % 64;
      std::memset(f->data[plane] + static_cast<ptrdiff_t>(y) * f->linesize[plane], value, cw);
    }
  }
  // The box keeps a colour of its own so it is visible in the chroma planes as well.
  for (int y = box_y >> sy; y < (box_y + box_h) >> sy; ++y) {
    std::memset(f->data[1] + static_cast<ptrdiff_t>(y) * f->linesize[1] + (box_x >> sx), 200,
                box_w >> sx);
  }
}

// ---- audio -----------------------------------------------------------------------------------

bool can_write(AVSampleFormat fmt) {
  switch (av_get_packed_sample_fmt(fmt)) {
    case AV_SAMPLE_FMT_U8:
    case AV_SAMPLE_FMT_S16:
    case AV_SAMPLE_FMT_S32:
    case AV_SAMPLE_FMT_FLT:
    case AV_SAMPLE_FMT_DBL:
      return true;
    default:
      return false;
  }
}

// The encoder's own order of preference, limited to the formats we can write.
AVSampleFormat choose_sample_format(const ClipWriter& out, const AVCodec* codec) {
  if (!codec->sample_fmts) return AV_SAMPLE_FMT_FLTP;
  for (const AVSampleFormat* f = codec->sample_fmts; *f != AV_SAMPLE_FMT_NONE; ++f) {
    if (can_write(*f)) return *f;
  }
  out.fail(std::string("encoder ") + codec->name + " takes no sample format we can write");
}

void configure_audio(const ClipWriter& out, const SampleSpec& spec, AVCodecContext* enc) {
  const AVCodec* codec = enc->codec;
  if (codec->supported_samplerates) {
    bool ok = false;
    std::string rates;
    for (const int* r = codec->supported_samplerates; *r; ++r) {
      ok = ok || *r == spec.sample_rate;
      rates += (rates.empty() ? "" : ", ") + std::to_string(*r);
    }
    if (!ok) {
      out.fail(std::string("encoder ") + codec->name + " cannot take " +
               std::to_string(spec.sample_rate) + " Hz (it takes " + rates + ")");
    }
  }
  av_channel_layout_default(&enc->ch_layout, spec.channels);
  if (codec->ch_layouts) {
    bool ok = false;
    for (const AVChannelLayout* l = codec->ch_layouts; l->nb_channels; ++l) {
      ok = ok || av_channel_layout_compare(l, &enc->ch_layout) == 0;
    }
    if (!ok) {
      out.fail(std::string("encoder ") + codec->name + " cannot take " +
               std::to_string(spec.channels) + " channels");
    }
  }
  enc->sample_rate = spec.sample_rate;
  enc->sample_fmt = choose_sample_format(out, codec);
  enc->time_base = AVRational{1, spec.sample_rate};
  // Lossy encoders: 64 kb/s per channel is a legal rate for aac, mp2, mp3 and opus alike.
  const AVCodecDescriptor* cd = avcodec_descriptor_get(codec->id);
  if (!(cd && (cd->props & AV_CODEC_PROP_LOSSLESS))) {
    enc->bit_rate = std::min<int64_t>(64000LL * spec.channels, 320000);
  }
}

// Fills `mono` (samples [first, first + mono.size())) with silence and the click bursts.
void render_clicks(const std::vector<int64_t>& clicks, int sample_rate, int64_t first,
                   std::vector<double>& mono) {
  std::fill(mono.begin(), mono.end(), 0.0);
  const auto burst = static_cast<int64_t>(std::llround(kClickSeconds * sample_rate));
  const int64_t last = first + static_cast<int64_t>(mono.size());
  for (int64_t start : clicks) {
    for (int64_t n = std::max(start, first); n < std::min(start + burst, last); ++n) {
      const double phase = 2 * std::numbers::pi * kClickHz * static_cast<double>(n - start) / sample_rate;
      mono[static_cast<size_t>(n - first)] = kClickAmplitude * std::sin(phase);
    }
  }
}

template <typename T>
T convert_sample(double v) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else if constexpr (std::is_same_v<T, uint8_t>) {
    return static_cast<uint8_t>(std::lround(128 + v * 127));
  } else {
    return static_cast<T>(std::llround(v * static_cast<double>(std::numeric_limits<T>::max())));
  }
}

template <typename T>
void store(AVFrame* f, const std::vector<double>& mono, bool planar) {
  const int channels = f->ch_layout.nb_channels;
  for (int c = 0; c < channels; ++c) {
    for (int i = 0; i < f->nb_samples; ++i) {
      const T v = convert_sample<T>(mono[static_cast<size_t>(i)]);
      if (planar) {
        reinterpret_cast<T*>(f->extended_data[c])[i] = v;
      } else {
        reinterpret_cast<T*>(f->extended_data[0])[i * channels + c] = v;
      }
    }
  }
}

void store_samples(AVFrame* f, const std::vector<double>& mono) {
  const auto fmt = static_cast<AVSampleFormat>(f->format);
  const bool planar = av_sample_fmt_is_planar(fmt);
  switch (av_get_packed_sample_fmt(fmt)) {
    case AV_SAMPLE_FMT_U8: store<uint8_t>(f, mono, planar); break;
    case AV_SAMPLE_FMT_S16: store<int16_t>(f, mono, planar); break;
    case AV_SAMPLE_FMT_S32: store<int32_t>(f, mono, planar); break;
    case AV_SAMPLE_FMT_FLT: store<float>(f, mono, planar); break;
    case AV_SAMPLE_FMT_DBL: store<double>(f, mono, planar); break;
    default: break;  // excluded by choose_sample_format
  }
}

// ---- the writer ------------------------------------------------------------------------------

class Writer {
 public:
  explicit Writer(const SampleSpec& spec) : spec_(spec), out_("sample clip", spec.path, spec.container) {}

  void run() {
    check_container();
    if (!spec_.video_codec.empty()) add_video();
    if (!spec_.audio_codec.empty()) add_audio();
    if (!spec_.creation_time.empty()) {
      av_dict_set(&out_.output()->metadata, "creation_time", spec_.creation_time.c_str(), 0);
    }
    fix_timestamps();
    out_.start();
    out_.interleave(video_, audio_, [this] { send_video(); }, [this] { send_audio(); });
    out_.finish();
  }

 private:
  // The rotation and the creation time would otherwise vanish silently in other containers.
  void check_container() const {
    const std::string fmt = out_.format_name();
    if (spec_.rotation != 0 && !spec_.video_codec.empty() && fmt != "mp4" && fmt != "mov") {
      out_.fail("container " + fmt + " cannot store a rotation (use mp4 or mov)");
    }
    if (!spec_.creation_time.empty() && fmt != "mp4" && fmt != "mov" && fmt != "matroska") {
      out_.fail("container " + fmt + " cannot store a creation time (use mp4, mov or matroska)");
    }
  }

  // Keeps audio and video in step where libavformat's defaults would not. Encoder priming
  // (aac, mp3, opus) makes the first audio timestamps negative; by default a muxer that
  // cannot store those shifts every stream forward by the same amount, which keeps them in
  // step, except in these cases:
  void fix_timestamps() {
    const std::string fmt = out_.format_name();
    if (fmt == "avi") {
      // AVI has no timestamps, only frame counts: the shift rounds up to a whole video frame
      // while audio moves by the exact priming, and the video lands a frame late.
      out_.output()->avoid_negative_ts = AVFMT_AVOID_NEG_TS_DISABLED;
    }
    if (fmt == "matroska" && audio_.enc && audio_.enc->codec_id == AV_CODEC_ID_OPUS &&
        audio_.enc->initial_padding > 0 && avformat_version() <= AV_VERSION_INT(59, 30, 100)) {
      // Up to libavformat 59.30.100 (FFmpeg 5.1) the Matroska muxer writes Opus' pre-skip as
      // CodecDelay but does not offset the audio blocks by it, so the generic shift moved the
      // video 6.5 ms late. Newer muxers offset the audio track alone; this does the same.
      audio_.shift = av_rescale_q(audio_.enc->initial_padding, AVRational{1, 48000},
                                  audio_.enc->time_base);
    }
  }

  void add_video() {
    video_.enc = out_.make_encoder(spec_.video_codec, AVMEDIA_TYPE_VIDEO);
    configure_video(out_, spec_, video_.enc.get());
    out_.open(video_);
    if (!spec_.vfr) video_.stream->avg_frame_rate = video_.enc->framerate;
    if (spec_.rotation != 0) {
      auto* matrix = reinterpret_cast<int32_t*>(av_stream_new_side_data(
          video_.stream, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t)));
      if (!matrix) out_.fail("out of memory");
      // av_display_rotation_set() takes the clockwise angle, while av_display_rotation_get() and
      // ffprobe report the counter-clockwise one: negate so that they report `rotation`.
      av_display_rotation_set(matrix, -spec_.rotation);
    }
    ticks_ = frame_ticks(spec_);
    if (ticks_.size() > 65536) out_.fail("more than 65536 frames: the frame code cannot count them");
    video_.duration_of = [this](int64_t pts) { return frame_duration(pts); };
    picture_ = out_.picture_for(video_.enc.get());
  }

  void add_audio() {
    audio_.enc = out_.make_encoder(spec_.audio_codec, AVMEDIA_TYPE_AUDIO);
    configure_audio(out_, spec_, audio_.enc.get());
    out_.open(audio_);
    const bool any_size = audio_.enc->codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE;
    chunk_ = (audio_.enc->frame_size > 0 && !any_size) ? audio_.enc->frame_size : 1024;
    total_samples_ = std::llround(spec_.seconds * spec_.sample_rate);
    clicks_ = sample_click_starts(spec_);
  }

  void send_video() {
    if (frame_index_ < ticks_.size()) {
      out_.check(av_frame_make_writable(picture_.get()), "picture buffer");
      const int64_t tick = ticks_[frame_index_];
      paint_picture(picture_.get(), static_cast<int>(frame_index_), tick);
      picture_->pts = tick;
      out_.encode(video_, picture_.get());
      ++frame_index_;
      video_.next = frame_index_ < ticks_.size() ? ticks_[frame_index_] : tick + 1;
    } else {
      out_.encode(video_, nullptr);
      video_.done = true;
    }
  }

  void send_audio() {
    const int64_t left = total_samples_ - audio_.next;
    if (left > 0) {
      // Only the last frame may be short; libavcodec pads it for encoders that need full frames.
      const auto frame = out_.audio_frame_for(audio_.enc.get(), static_cast<int>(std::min<int64_t>(left, chunk_)));
      mono_.resize(static_cast<size_t>(frame->nb_samples));
      render_clicks(clicks_, spec_.sample_rate, audio_.next, mono_);
      store_samples(frame.get(), mono_);
      frame->pts = audio_.next;
      out_.encode(audio_, frame.get());
      audio_.next += frame->nb_samples;
    } else {
      out_.encode(audio_, nullptr);
      audio_.done = true;
    }
  }

  // Encoders leave video packet durations unset and muxers then guess them from the next
  // frame, which for VFR makes the mp4 edit list cut the last frame; we know the real ones.
  int64_t frame_duration(int64_t pts) const {
    const auto it = std::lower_bound(ticks_.begin(), ticks_.end(), pts);
    if (it == ticks_.end() || *it != pts) return 0;  // unknown: let the muxer guess
    if (std::next(it) != ticks_.end()) return *std::next(it) - pts;
    return end_tick(spec_) - pts;  // the last frame lasts until the clip's end
  }

  const SampleSpec& spec_;
  ClipWriter out_;

  Track video_;
  std::vector<int64_t> ticks_;
  size_t frame_index_ = 0;
  FramePtr picture_;

  Track audio_;
  int chunk_ = 0;
  int64_t total_samples_ = 0;
  std::vector<int64_t> clicks_;
  std::vector<double> mono_;
};

}  // namespace

std::vector<int64_t> sample_frame_ticks(const SampleSpec& spec) {
  if (spec.video_codec.empty() || spec.fps_num <= 0 || spec.fps_den <= 0 || !(spec.seconds > 0)) {
    return {};
  }
  return frame_ticks(spec);
}

std::vector<int64_t> sample_click_starts(const SampleSpec& spec) {
  std::vector<int64_t> starts;
  if (spec.audio_codec.empty() || !(spec.click_every >= 0.01) || spec.sample_rate <= 0) return starts;
  for (int64_t k = 0; k * spec.click_every < spec.seconds - 1e-9; ++k) {
    starts.push_back(std::llround(static_cast<double>(k) * spec.click_every * spec.sample_rate));
  }
  return starts;
}

void write_sample(const SampleSpec& spec) {
  validate(spec);
  Writer(spec).run();  // on failure, the writer removes what it wrote
}

}  // namespace courtplay::assets
