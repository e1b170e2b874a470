// The sample clip generator, proved by decoding what it writes with libavformat/libavcodec:
// frame codes, frame counts, keyframes, timestamps, rotation, metadata and click timing.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "assets/frame_code.h"
#include "assets/sample_clip.h"
#include "player/av_ptr.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

// libx265 3.5 (Debian 12) leaks ~12 KB per encoder it opens (x265::FrameFilter::init); that is
// not ours to fix, and without this LeakSanitizer fails every x265 test in the sanitizer build.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libx265.so\n";
}

namespace fs = std::filesystem;
using namespace courtplay::assets;

namespace {

// x264 and friends log at info level by default; the tests only want real errors.
const int quiet_ffmpeg = (av_log_set_level(AV_LOG_ERROR), 0);

struct SwsDeleter {
  void operator()(SwsContext* c) const { sws_freeContext(c); }
};
using courtplay::player::CodecPtr;
using courtplay::player::FramePtr;
using courtplay::player::InputPtr;
using courtplay::player::PacketPtr;

// A directory of its own per test process (ctest runs test cases in parallel), removed after.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "courtplay-assets-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

struct VideoFrame {
  int code;
  double t;  // best-effort presentation time, seconds
  bool key;
  AVPictureType type;
};

// What a clip decodes to.
struct Decoded {
  std::string format;
  std::string creation_time;

  bool has_video = false;
  int width = 0, height = 0;
  AVPixelFormat pix_fmt = AV_PIX_FMT_NONE;
  std::optional<double> rotation;  // av_display_rotation_get() of the stream's display matrix
  std::vector<VideoFrame> frames;  // in presentation (decode output) order

  bool has_audio = false;
  int sample_rate = 0, channels = 0;
  double audio_start = 0;          // time of the first decoded sample, after priming is skipped
  std::vector<std::vector<float>> audio;  // per channel
};

double sample_at(const AVFrame* f, int channel, int i) {
  const auto fmt = static_cast<AVSampleFormat>(f->format);
  const bool planar = av_sample_fmt_is_planar(fmt);
  const int n = planar ? i : i * f->ch_layout.nb_channels + channel;
  const uint8_t* data = f->extended_data[planar ? channel : 0];
  switch (av_get_packed_sample_fmt(fmt)) {
    case AV_SAMPLE_FMT_U8: return (data[n] - 128) / 128.0;
    case AV_SAMPLE_FMT_S16: return reinterpret_cast<const int16_t*>(data)[n] / 32768.0;
    case AV_SAMPLE_FMT_S32: return reinterpret_cast<const int32_t*>(data)[n] / 2147483648.0;
    case AV_SAMPLE_FMT_FLT: return reinterpret_cast<const float*>(data)[n];
    case AV_SAMPLE_FMT_DBL: return reinterpret_cast<const double*>(data)[n];
    default: FAIL("unexpected sample format " << av_get_sample_fmt_name(fmt)); return 0;
  }
}

CodecPtr open_decoder(const AVStream* st) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  REQUIRE(codec != nullptr);
  CodecPtr dec(avcodec_alloc_context3(codec));
  REQUIRE(avcodec_parameters_to_context(dec.get(), st->codecpar) >= 0);
  // Lets the decoder shift frame pts when it skips encoder priming (skip_samples).
  dec->pkt_timebase = st->time_base;
  REQUIRE(avcodec_open2(dec.get(), codec, nullptr) >= 0);
  return dec;
}

Decoded decode(const std::string& path) {
  Decoded out;
  AVFormatContext* raw = nullptr;
  REQUIRE(avformat_open_input(&raw, path.c_str(), nullptr, nullptr) == 0);
  InputPtr in(raw);
  REQUIRE(avformat_find_stream_info(in.get(), nullptr) >= 0);
  out.format = in->iformat->name;
  if (auto* e = av_dict_get(in->metadata, "creation_time", nullptr, 0)) out.creation_time = e->value;

  const int vi = av_find_best_stream(in.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  const int ai = av_find_best_stream(in.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  CodecPtr vdec, adec;
  if (vi >= 0) {
    const AVStream* st = in->streams[vi];
    vdec = open_decoder(st);
    out.has_video = true;
    if (const uint8_t* m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, nullptr)) {
      out.rotation = av_display_rotation_get(reinterpret_cast<const int32_t*>(m));
    }
  }
  if (ai >= 0) {
    adec = open_decoder(in->streams[ai]);
    out.has_audio = true;
    out.sample_rate = adec->sample_rate;
    out.channels = adec->ch_layout.nb_channels;
    out.audio.resize(static_cast<size_t>(out.channels));
  }

  FramePtr frame(av_frame_alloc());
  bool first_audio = true;
  const auto drain = [&](AVCodecContext* dec, int index) {
    const AVRational tb = in->streams[index]->time_base;
    while (avcodec_receive_frame(dec, frame.get()) == 0) {
      if (index == vi) {
        out.width = frame->width;
        out.height = frame->height;
        out.pix_fmt = static_cast<AVPixelFormat>(frame->format);
        out.frames.push_back({read_frame_code(frame.get()),
                              frame->best_effort_timestamp * av_q2d(tb), frame->key_frame != 0,
                              frame->pict_type});
      } else {
        if (first_audio) {
          REQUIRE(frame->pts != AV_NOPTS_VALUE);
          out.audio_start = frame->pts * av_q2d(tb);
          first_audio = false;
        }
        for (int c = 0; c < out.channels; ++c) {
          for (int i = 0; i < frame->nb_samples; ++i) {
            out.audio[c].push_back(static_cast<float>(sample_at(frame.get(), c, i)));
          }
        }
      }
      av_frame_unref(frame.get());
    }
  };

  PacketPtr pkt(av_packet_alloc());
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    AVCodecContext* dec = pkt->stream_index == vi ? vdec.get()
                          : pkt->stream_index == ai ? adec.get()
                                                    : nullptr;
    if (dec) {
      REQUIRE(avcodec_send_packet(dec, pkt.get()) >= 0);
      drain(dec, pkt->stream_index);
    }
    av_packet_unref(pkt.get());
  }
  for (auto [dec, index] : {std::pair{vdec.get(), vi}, std::pair{adec.get(), ai}}) {
    if (!dec) continue;
    avcodec_send_packet(dec, nullptr);
    drain(dec, index);
  }
  return out;
}

// Onsets of the clicks: the first sample above 0.3 after at least 50 ms below it.
std::vector<double> click_onsets(const std::vector<float>& samples, int rate, double start) {
  std::vector<double> onsets;
  const auto gap = static_cast<ptrdiff_t>(0.05 * rate);
  ptrdiff_t last_loud = -gap - 1;
  for (ptrdiff_t i = 0; i < static_cast<ptrdiff_t>(samples.size()); ++i) {
    if (std::fabs(samples[i]) <= 0.3f) continue;
    if (i - last_loud > gap) onsets.push_back(start + static_cast<double>(i) / rate);
    last_loud = i;
  }
  return onsets;
}

bool is_x26x(const std::string& codec) {
  return codec == "libx264" || codec == "libx265";
}

// Where t = 0 of the clip lies on the decoded timeline: the first video frame. Containers may
// start the timeline elsewhere (mpegts shifts everything by the B-frame delay); without video
// it is where the first decoded audio sample lies.
double clip_origin(const Decoded& d) {
  return d.has_video ? d.frames.at(0).t : d.audio_start;
}

// Encoder priming that the container cannot signal delays the decoded click by this much.
// Measured with FFmpeg 5.1; everything else puts the click within 0.05 ms of its time.
constexpr double kMp3InAviShift = 1105.0 / 48000;   // LAME's encoder delay; AVI has no edit list
constexpr double kAacInMatroskaShift = 1024.0 / 48000;  // 5.1 writes no CodecDelay for AAC

// The checks every clip must pass. `click_shift` is a known, codec-inherent delay of the click
// (see above); the click must then be within 1 ms of t = k * click_every + click_shift.
void check_clip(const SampleSpec& spec, const Decoded& d, double click_shift = 0) {
  INFO(spec.path << " (" << d.format << ")");
  REQUIRE(d.has_video == !spec.video_codec.empty());
  REQUIRE(d.has_audio == !spec.audio_codec.empty());
  const double origin = clip_origin(d);

  if (d.has_video) {
    const std::vector<int64_t> ticks = sample_frame_ticks(spec);
    REQUIRE(d.width == spec.width);
    REQUIRE(d.height == spec.height);
    REQUIRE(d.frames.size() == ticks.size());
    for (size_t k = 0; k < d.frames.size(); ++k) {
      INFO("frame " << k);
      REQUIRE(d.frames[k].code == static_cast<int>(k));
      // Times follow the ticks exactly (up to the stream time base: 1 ms in Matroska).
      const double expect = static_cast<double>(ticks[k]) * spec.fps_den / spec.fps_num;
      REQUIRE(d.frames[k].t - origin == Approx(expect).margin(0.0015));
    }
    if (is_x26x(spec.video_codec)) {
      for (size_t k = 0; k < d.frames.size(); ++k) {
        INFO("frame " << k);
        REQUIRE(d.frames[k].key == (k % spec.gop == 0));
      }
      // Reordering is part of what the player must cope with.
      REQUIRE(std::any_of(d.frames.begin(), d.frames.end(),
                          [](const VideoFrame& f) { return f.type == AV_PICTURE_TYPE_B; }));
    }
  }

  if (d.has_audio) {
    REQUIRE(d.sample_rate == spec.sample_rate);
    REQUIRE(d.channels == spec.channels);
    // Audio starts with the video, or earlier by encoder priming the container cannot signal
    // (mp2 in mpegts: 481 samples; aac in mpegts: 1024; never more than 25 ms).
    CHECK(d.audio_start <= origin + 0.001);
    CHECK(d.audio_start >= origin - 0.025);
    // Whole encoder frames, plus priming where it is not signalled.
    const double decoded_seconds = static_cast<double>(d.audio[0].size()) / d.sample_rate;
    CHECK(decoded_seconds >= spec.seconds - 0.001);
    CHECK(decoded_seconds <= spec.seconds + 0.05);
    const std::vector<int64_t> clicks = sample_click_starts(spec);
    for (int c = 0; c < d.channels; ++c) {
      INFO("channel " << c);
      const std::vector<double> onsets = click_onsets(d.audio[c], d.sample_rate, d.audio_start);
      REQUIRE(onsets.size() == clicks.size());
      for (size_t k = 0; k < onsets.size(); ++k) {
        INFO("click " << k);
        const double expect = static_cast<double>(clicks[k]) / spec.sample_rate + click_shift;
        CHECK(onsets[k] - origin == Approx(expect).margin(0.001));
      }
    }
  }
}

SampleSpec spec_for(const TempDir& dir, const std::string& file, const std::string& container,
                    const std::string& vcodec, const std::string& acodec) {
  SampleSpec spec;
  spec.path = dir.file(file);
  spec.container = container;
  spec.video_codec = vcodec;
  spec.audio_codec = acodec;
  return spec;
}

Decoded write_and_check(const SampleSpec& spec, double click_shift = 0) {
  write_sample(spec);
  REQUIRE(fs::file_size(spec.path) > 0);
  Decoded d = decode(spec.path);
  check_clip(spec, d, click_shift);
  return d;
}

struct ToolRun {
  int status;
  std::string err;  // what it printed on stderr
};

ToolRun run_tool(const TempDir& dir, const std::string& args) {
  const std::string err_file = dir.file("stderr.txt");
  const std::string command =
      std::string(COURTPLAY_SAMPLE_TOOL) + " " + args + " >/dev/null 2>" + err_file;
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  std::ifstream in(err_file);
  return {WEXITSTATUS(status), std::string(std::istreambuf_iterator<char>(in), {})};
}

}  // namespace

// ---- the frame code on its own ----------------------------------------------------------------

TEST_CASE("frame code reads back what was drawn, at every size", "[frame_code]") {
  const std::pair<int, int> sizes[] = {{36, 24}, {160, 120}, {320, 240}, {321, 241}, {1920, 1080}};
  for (auto [w, h] : sizes) {
    FramePtr f(av_frame_alloc());
    f->format = AV_PIX_FMT_YUV420P;
    f->width = w;
    f->height = h;
    REQUIRE(av_frame_get_buffer(f.get(), 0) == 0);
    for (int number : {0, 1, 2, 0x5555, 0xAAAA, 12345, 65535}) {
      INFO(w << "x" << h << " number " << number);
      draw_frame_code(f->data[0], f->linesize[0], w, h, number);
      REQUIRE(read_frame_code(f.get()) == number);
    }
    // Nothing below the band is touched: content there is the generator's to draw.
    REQUIRE(frame_code_band_height(w, h) < h);
  }
}

TEST_CASE("frame code rejects pictures that carry no code", "[frame_code]") {
  FramePtr f(av_frame_alloc());
  f->format = AV_PIX_FMT_GRAY8;
  f->width = 320;
  f->height = 240;
  REQUIRE(av_frame_get_buffer(f.get(), 0) == 0);
  const int band = frame_code_band_height(320, 240);
  for (int value : {0, 16, 128, 235, 255}) {
    for (int y = 0; y < 240; ++y) std::fill_n(f->data[0] + y * f->linesize[0], 320, value);
    REQUIRE(read_frame_code(f.get()) == -1);
  }
  // A code whose data row was painted over (all ones) no longer matches its complement row.
  // The data row lies within the band's top 40%, the complement row's centre below its half.
  draw_frame_code(f->data[0], f->linesize[0], 320, 240, 0x1234);
  REQUIRE(read_frame_code(f.get()) == 0x1234);
  for (int y = 0; y < band / 2; ++y) std::fill_n(f->data[0] + y * f->linesize[0], 320, 235);
  REQUIRE(read_frame_code(f.get()) == -1);
  REQUIRE_THROWS_AS(draw_frame_code(f->data[0], f->linesize[0], 320, 240, 65536), std::invalid_argument);
  REQUIRE_THROWS_AS(draw_frame_code(f->data[0], f->linesize[0], 20, 10, 1), std::invalid_argument);
  REQUIRE(read_frame_code(nullptr) == -1);
}

TEST_CASE("frame code reads from RGB and high bit depth frames through libswscale", "[frame_code]") {
  const int w = 321, h = 241;
  FramePtr yuv(av_frame_alloc());
  yuv->format = AV_PIX_FMT_YUV420P;
  yuv->width = w;
  yuv->height = h;
  REQUIRE(av_frame_get_buffer(yuv.get(), 0) == 0);
  for (int y = 0; y < h; ++y) std::fill_n(yuv->data[0] + y * yuv->linesize[0], w, 90);
  for (int p = 1; p <= 2; ++p) {
    for (int y = 0; y < (h + 1) / 2; ++y) std::fill_n(yuv->data[p] + y * yuv->linesize[p], (w + 1) / 2, 128);
  }
  draw_frame_code(yuv->data[0], yuv->linesize[0], w, h, 4242);

  for (AVPixelFormat fmt : {AV_PIX_FMT_RGB24, AV_PIX_FMT_BGRA, AV_PIX_FMT_YUYV422, AV_PIX_FMT_YUV420P10LE}) {
    INFO(av_get_pix_fmt_name(fmt));
    FramePtr out(av_frame_alloc());
    out->format = fmt;
    out->width = w;
    out->height = h;
    REQUIRE(av_frame_get_buffer(out.get(), 0) == 0);
    std::unique_ptr<SwsContext, SwsDeleter> sws(sws_getContext(
        w, h, AV_PIX_FMT_YUV420P, w, h, fmt, SWS_BILINEAR, nullptr, nullptr, nullptr));
    REQUIRE(sws);
    REQUIRE(sws_scale(sws.get(), yuv->data, yuv->linesize, 0, h, out->data, out->linesize) == h);
    REQUIRE(read_frame_code(out.get()) == 4242);
  }
}

// ---- the container/codec matrix ------------------------------------------------------------

TEST_CASE("mp4 + libx264 + aac", "[matrix]") {
  TempDir dir;
  write_and_check(spec_for(dir, "a.mp4", "mp4", "libx264", "aac"));
}

TEST_CASE("mov + libx264 + pcm_s16le", "[matrix]") {
  TempDir dir;
  write_and_check(spec_for(dir, "a.mov", "mov", "libx264", "pcm_s16le"));
}

TEST_CASE("matroska + libx265 + libopus", "[matrix]") {
  TempDir dir;
  write_and_check(spec_for(dir, "a.mkv", "matroska", "libx265", "libopus"));
}

TEST_CASE("matroska + libvpx-vp9 + libopus", "[matrix]") {
  TempDir dir;
  write_and_check(spec_for(dir, "a.mkv", "matroska", "libvpx-vp9", "libopus"));
}

TEST_CASE("mpegts + libx264 + mp2", "[matrix]") {
  TempDir dir;
  write_and_check(spec_for(dir, "a.ts", "mpegts", "libx264", "mp2"));
}

TEST_CASE("mpegts + libx265 + aac", "[matrix]") {
  TempDir dir;
  write_and_check(spec_for(dir, "a.ts", "mpegts", "libx265", "aac"));
}

TEST_CASE("avi + mpeg4 + libmp3lame", "[matrix]") {
  TempDir dir;
  write_and_check(spec_for(dir, "a.avi", "avi", "mpeg4", "libmp3lame"), kMp3InAviShift);
}

TEST_CASE("avi + mjpeg + pcm_s16le", "[matrix]") {
  TempDir dir;
  write_and_check(spec_for(dir, "a.avi", "avi", "mjpeg", "pcm_s16le"));
}

TEST_CASE("mp4 + mpeg4 + libmp3lame", "[matrix]") {
  TempDir dir;
  write_and_check(spec_for(dir, "a.mp4", "mp4", "mpeg4", "libmp3lame"));
}

TEST_CASE("video-only mp4 + libx264", "[matrix]") {
  TempDir dir;
  write_and_check(spec_for(dir, "a.mp4", "mp4", "libx264", ""));
}

TEST_CASE("audio-only matroska + aac", "[matrix]") {
  TempDir dir;
  write_and_check(spec_for(dir, "a.mka", "matroska", "", "aac"), kAacInMatroskaShift);
}

TEST_CASE("odd size 321x241 mp4 + libx264", "[matrix]") {
  TempDir dir;
  SampleSpec spec = spec_for(dir, "a.mp4", "mp4", "libx264", "aac");
  spec.width = 321;
  spec.height = 241;
  write_and_check(spec);
}

// ---- the spec's other knobs ------------------------------------------------------------------

TEST_CASE("keyframes are exactly every gop frames, also at 30000/1001 fps", "[gop]") {
  TempDir dir;
  SampleSpec spec = spec_for(dir, "a.ts", "mpegts", "libx264", "aac");
  spec.fps_num = 30000;
  spec.fps_den = 1001;
  spec.gop = 12;
  spec.seconds = 2;
  write_and_check(spec);

  spec = spec_for(dir, "b.mkv", "matroska", "libx265", "");
  spec.gop = 10;
  spec.seconds = 2;
  write_and_check(spec);
}

TEST_CASE("variable frame rate clips have irregular frame durations", "[vfr]") {
  TempDir dir;
  for (const auto& [file, container, vcodec] :
       {std::tuple{"a.mp4", "mp4", "libx264"}, std::tuple{"b.mkv", "matroska", "libvpx-vp9"}}) {
    SampleSpec spec = spec_for(dir, file, container, vcodec, "libopus");
    if (std::string(container) == "mp4") spec.audio_codec = "aac";
    spec.vfr = true;
    spec.seconds = 3;
    const Decoded d = write_and_check(spec);  // checks every pts against sample_frame_ticks()
    std::vector<double> deltas;
    for (size_t k = 1; k < d.frames.size(); ++k) deltas.push_back(d.frames[k].t - d.frames[k - 1].t);
    const auto [shortest, longest] = std::minmax_element(deltas.begin(), deltas.end());
    CHECK(*shortest == Approx(0.04).margin(0.0015));
    CHECK(*longest == Approx(0.12).margin(0.0015));
    // Fewer frames than the 75 a constant 25 fps would give, and still 3 s long.
    CHECK(d.frames.size() < 75);
    CHECK(d.frames.back().t - d.frames.front().t > 2.8);
  }
}

TEST_CASE("rotation is stored as a display matrix that reads back as that rotation", "[rotation]") {
  TempDir dir;
  // av_display_rotation_get() answers in [-180, 180], so 270 comes back as -90.
  for (const auto& [rotation, expect] : {std::pair{90, 90.0}, std::pair{180, 180.0}, std::pair{270, -90.0}}) {
    for (const char* container : {"mp4", "mov"}) {
      INFO(container << " rotation " << rotation);
      SampleSpec spec = spec_for(dir, std::string("r.") + container, container, "libx264", "");
      spec.rotation = rotation;
      spec.seconds = 0.4;
      const Decoded d = write_and_check(spec);
      REQUIRE(d.rotation.has_value());
      CHECK(std::fabs(std::remainder(*d.rotation - expect, 360.0)) < 0.01);
    }
  }
  SampleSpec upright = spec_for(dir, "u.mp4", "mp4", "libx264", "");
  upright.seconds = 0.4;
  const Decoded d = write_and_check(upright);
  CHECK_FALSE(d.rotation.has_value());
}

TEST_CASE("creation_time is in the container metadata", "[metadata]") {
  TempDir dir;
  for (const char* container : {"mp4", "mov", "matroska"}) {
    INFO(container);
    SampleSpec spec = spec_for(dir, std::string("c.") + container, container, "libx264", "aac");
    spec.seconds = 0.4;
    spec.creation_time = "2026-03-01T09:30:00.000000Z";
    const Decoded d = write_and_check(spec);
    CHECK(d.creation_time == spec.creation_time);
  }
}

TEST_CASE("frame codes survive low bitrates at 160x120", "[frame_code][lossy]") {
  TempDir dir;
  for (const char* vcodec : {"libx264", "libx265", "mpeg4", "mjpeg", "libvpx-vp9"}) {
    INFO(vcodec);
    SampleSpec spec = spec_for(dir, "low.mkv", "matroska", vcodec, "");
    spec.width = 160;
    spec.height = 120;
    spec.seconds = 1;
    spec.video_bitrate = 40'000;
    write_and_check(spec);
  }
}

TEST_CASE("frame codes survive at 1920x1080", "[frame_code][lossy]") {
  TempDir dir;
  for (const char* vcodec : {"libx264", "libx265", "mpeg4", "mjpeg", "libvpx-vp9"}) {
    INFO(vcodec);
    SampleSpec spec = spec_for(dir, "hd.mkv", "matroska", vcodec, "");
    spec.width = 1920;
    spec.height = 1080;
    spec.seconds = 0.2;  // 5 frames: I, P and B; 1080p x265 and vp9 are slow to start
    write_and_check(spec);
  }
}

TEST_CASE("odd sizes where the codec allows them", "[matrix]") {
  TempDir dir;
  for (const auto& [vcodec, container] : {std::pair{"libx265", "matroska"}, std::pair{"mpeg4", "avi"},
                                         std::pair{"mjpeg", "avi"}, std::pair{"libvpx-vp9", "matroska"}}) {
    INFO(vcodec);
    SampleSpec spec = spec_for(dir, std::string("odd.") + container, container, vcodec, "");
    spec.width = 321;
    spec.height = 241;
    spec.seconds = 0.4;
    write_and_check(spec);
  }
}

// ---- failures ----------------------------------------------------------------------------------

TEST_CASE("impossible specs fail with a clear message and leave no file", "[errors]") {
  TempDir dir;
  // libavformat also logs the unknown containers; the exception is what is under test.
  av_log_set_level(AV_LOG_QUIET);
  struct RestoreLog {
    ~RestoreLog() { av_log_set_level(AV_LOG_ERROR); }
  } restore;
  const auto fails_with = [&](SampleSpec spec, const std::string& words) {
    INFO(spec.path << ": expecting '" << words << "'");
    try {
      write_sample(spec);
      FAIL("write_sample did not throw");
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Catch::Contains(words));
    }
    CHECK_FALSE(fs::exists(spec.path));
  };
  SampleSpec opus = spec_for(dir, "a.mkv", "matroska", "libx264", "libopus");
  opus.sample_rate = 44100;
  fails_with(opus, "44100");
  fails_with(spec_for(dir, "b.mp4", "mp4", "libx264", "pcm_s16le"), "cannot hold pcm_s16le");
  fails_with(spec_for(dir, "c.mp4", "mp4", "no-such-encoder", "aac"), "no-such-encoder");
  fails_with(spec_for(dir, "d.xyz", "", "libx264", "aac"), "container");
  fails_with(spec_for(dir, "e.mp4", "nonsense", "libx264", "aac"), "nonsense");
  fails_with(spec_for(dir, "f.mp4", "mp4", "", ""), "neither video nor audio");
  SampleSpec rotated = spec_for(dir, "g.ts", "mpegts", "libx264", "aac");
  rotated.rotation = 90;
  fails_with(rotated, "rotation");
  rotated.rotation = 45;
  rotated.path = dir.file("g.mp4");
  fails_with(rotated, "rotation");
  SampleSpec dated = spec_for(dir, "h.avi", "avi", "mpeg4", "");
  dated.creation_time = "2026-03-01T09:30:00.000000Z";
  fails_with(dated, "creation time");
  SampleSpec tiny = spec_for(dir, "i.mp4", "mp4", "libx264", "");
  tiny.width = 16;
  fails_with(tiny, "size");
  SampleSpec mono_mp2 = spec_for(dir, "j.ts", "mpegts", "", "mp2");
  mono_mp2.channels = 6;
  fails_with(mono_mp2, "channels");
}

// ---- the command line tool ----------------------------------------------------------------------

TEST_CASE("courtplay-sample writes clips and reports bad input", "[cli]") {
  TempDir dir;
  const std::string out = dir.file("cli.mp4");
  const ToolRun ok = run_tool(dir, out + " --size 161x120 --vcodec mpeg4 --fps 30000/1001 --seconds 1"
                                        " --gop 10 --bitrate 300k --rotate 90 --clicks 0.5"
                                        " --creation-time 2026-03-01T09:30:00.000000Z");
  REQUIRE(ok.status == 0);
  CHECK(ok.err.empty());
  SampleSpec spec;
  spec.path = out;
  spec.video_codec = "mpeg4";
  spec.width = 161;
  spec.height = 120;
  spec.fps_num = 30000;
  spec.fps_den = 1001;
  spec.seconds = 1;
  spec.gop = 10;
  spec.click_every = 0.5;
  const Decoded d = decode(out);
  check_clip(spec, d);
  REQUIRE(d.rotation.has_value());
  CHECK(*d.rotation == Approx(90));
  CHECK(d.creation_time == "2026-03-01T09:30:00.000000Z");

  const std::string audio_only = dir.file("cli.mka");
  REQUIRE(run_tool(dir, audio_only + " --vcodec none --acodec pcm_s16le --seconds 0.5 --vfr").status == 0);
  CHECK_FALSE(decode(audio_only).has_video);

  for (const std::string& bad : {std::string(), out + " --size big", out + " --fps 0",
                                 out + " --bitrate 6X", out + " --rotate 45", out + " --no-such-option",
                                 out + " --seconds abc"}) {
    INFO("args: " << bad);
    CHECK(run_tool(dir, bad).status == 2);
  }
  CHECK(run_tool(dir, out + " --help").status == 0);
  for (const std::string& failing : {dir.file("x.mkv") + " --acodec libopus --sample-rate 44100",
                                     dir.file("y.mp4") + " --vcodec no-such-encoder",
                                     dir.file("z.mp4") + " --size 321x241 --vcodec libx264 --container mpegts --rotate 90"}) {
    INFO("args: " << failing);
    const ToolRun run = run_tool(dir, failing);
    CHECK(run.status == 1);
    // One line, naming the tool.
    CHECK(run.err.rfind("courtplay-sample: ", 0) == 0);
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  }
  CHECK_FALSE(fs::exists(dir.file("y.mp4")));
}
