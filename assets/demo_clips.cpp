#include "assets/demo_clips.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>
#include <memory>

#include "assets/canvas.h"
#include "assets/clip_writer.h"
#include "assets/demo_scenes.h"
#include "assets/speech_audio.h"

extern "C" {
#include <libavutil/channel_layout.h>
}

namespace courtplay::assets {
namespace {

constexpr int kSampleRate = 48000;

// One demo clip: what it is, how it is encoded, what it shows and sounds like.
struct Recipe {
  DemoClip clip;
  std::string file, container, video_codec;
  int width, height, fps_num, fps_den;
  double seconds;
  int64_t bitrate;  // bit/s; 0 = MJPEG at a fixed quantiser
  const char* preset;  // x264's: the encoder is nearly all of the time it takes to make a clip
  std::time_t start;
  std::unique_ptr<Scene> scene;
  std::vector<float> sound;  // mono at kSampleRate; empty = no audio stream
};

std::time_t utc(int year, int month, int day, int hour, int minute, int second) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return timegm(&tm);
}

void configure_video(const ClipWriter& out, const Recipe& r, AVCodecContext* enc) {
  enc->width = r.width;
  enc->height = r.height;
  enc->time_base = AVRational{r.fps_den, r.fps_num};  // one tick = one frame
  enc->framerate = AVRational{r.fps_num, r.fps_den};
  enc->thread_count = 0;  // the 1080p clip needs every core there is to be made in seconds
  if (enc->codec_id == AV_CODEC_ID_MJPEG) {
    // Cheap CCTV recorders: full-range JPEG pictures, BT.601 colours, a fixed quality.
    enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
    enc->color_range = AVCOL_RANGE_JPEG;
    enc->colorspace = AVCOL_SPC_BT470BG;
    enc->flags |= AV_CODEC_FLAG_QSCALE;
    enc->global_quality = FF_QP2LAMBDA * 5;
    return;
  }
  // Like the cameras: H.264 High at a steady bitrate, a keyframe every second (seeks stay quick).
  enc->pix_fmt = AV_PIX_FMT_YUV420P;
  enc->color_range = AVCOL_RANGE_MPEG;
  enc->colorspace = AVCOL_SPC_BT709;
  enc->color_primaries = AVCOL_PRI_BT709;
  enc->color_trc = AVCOL_TRC_BT709;
  enc->bit_rate = r.bitrate;
  enc->rc_max_rate = r.bitrate * 3 / 2;
  enc->rc_buffer_size = static_cast<int>(r.bitrate * 2);
  enc->gop_size = r.fps_num / r.fps_den;
  out.set_option(enc, "preset", r.preset);
}

void configure_audio(AVCodecContext* enc) {
  enc->sample_rate = kSampleRate;
  enc->sample_fmt = AV_SAMPLE_FMT_FLTP;  // what FFmpeg's aac encoder takes
  av_channel_layout_default(&enc->ch_layout, 1);
  enc->time_base = AVRational{1, kSampleRate};
  enc->bit_rate = 96000;
}

void write_clip(Recipe& r) {
  ClipWriter out("demo clip", r.clip.path.string(), r.container);
  Track video, audio;
  video.enc = out.make_encoder(r.video_codec, AVMEDIA_TYPE_VIDEO);
  configure_video(out, r, video.enc.get());
  out.open(video);
  video.stream->avg_frame_rate = video.enc->framerate;
  video.duration_of = [](int64_t) { return int64_t{1}; };  // every frame lasts one tick
  if (!r.sound.empty()) {
    audio.enc = out.make_encoder("aac", AVMEDIA_TYPE_AUDIO);
    configure_audio(audio.enc.get());
    out.open(audio);
  }
  AVDictionary*& metadata = out.output()->metadata;
  av_dict_set(&metadata, "title", r.clip.title.c_str(), 0);
  if (out.format_name() == "mp4" || out.format_name() == "mov") {
    const std::string created = r.clip.recorded_at.substr(0, 19) + ".000000Z";
    av_dict_set(&metadata, "creation_time", created.c_str(), 0);
  }
  out.start();

  const auto frames = static_cast<int64_t>(std::llround(r.seconds * r.fps_num / r.fps_den));
  const auto samples = static_cast<int64_t>(r.sound.size());
  const player::FramePtr picture = out.picture_for(video.enc.get());
  const auto send_video = [&] {
    if (video.next == frames) {
      out.encode(video, nullptr);
      video.done = true;
      return;
    }
    out.check(av_frame_make_writable(picture.get()), "picture buffer");
    Canvas canvas(picture.get());
    const int64_t i = video.next;
    r.scene->paint(canvas, {static_cast<int>(i), static_cast<double>(i) * r.fps_den / r.fps_num,
                            r.start + static_cast<std::time_t>(i * r.fps_den / r.fps_num)});
    picture->pts = i;
    out.encode(video, picture.get());
    ++video.next;
  };
  const auto send_audio = [&] {
    if (audio.next == samples) {
      out.encode(audio, nullptr);
      audio.done = true;
      return;
    }
    const int n = static_cast<int>(std::min<int64_t>(audio.enc->frame_size, samples - audio.next));
    const player::FramePtr frame = out.audio_frame_for(audio.enc.get(), n);
    std::memcpy(frame->data[0], &r.sound[static_cast<size_t>(audio.next)], sizeof(float) * n);
    frame->pts = audio.next;
    out.encode(audio, frame.get());
    audio.next += n;
  };
  out.interleave(video, audio, send_video, send_audio);
  out.finish();
}

std::string iso_utc(std::time_t t) { return clock_text(t, "%Y-%m-%dT%H:%M:%SZ"); }

}  // namespace

std::vector<DemoClip> make_demo_clips(const std::filesystem::path& dir) {
  // One incident seen three ways: the patrol car on its way, the square's camera as the officer
  // arrives, the officer's own camera at the arrest.
  Recipe recipes[3] = {
      {{{}, "Body-worn camera, PC 4172 Hughes, arrest on High Street", "BWV-4172", {}},
       // x264 codes this easy scene below the rate asked: 4.5 Mb/s gives about 4.
       "BWV-4172_20261112T140322Z.mp4", "mp4", "libx264", 1920, 1080, 30, 1, 10.0, 4'500'000, "fast",
       utc(2026, 11, 12, 14, 3, 22), make_street_scene("BWV-4172"), {}},
      {{{}, "Dash camera, response car RV21, on the way to High Street", "DC-RV21", {}},
       // "veryfast" keeps the set within seconds on 2 cores; a dash camera's encoder is no better.
       "DC-RV21_20261112T135840Z.mp4", "mp4", "libx264", 1280, 720, 25, 1, 10.0, 3'000'000, "veryfast",
       utc(2026, 11, 12, 13, 58, 40), make_road_scene("DC-RV21"), {}},
      {{{}, "CCTV camera 3, Market Square, High Street", "CAM 03", {}},
       "CAM03_20261112T140107Z.avi", "avi", "mjpeg", 704, 576, 25, 2, 12.0, 0, "",
       utc(2026, 11, 12, 14, 1, 7), make_square_scene("CAM 03"), {}},
  };
  recipes[0].sound = speech_audio(recipes[0].seconds, kSampleRate);
  recipes[1].sound = engine_audio(recipes[1].seconds, kSampleRate, road_speed_mph);

  std::vector<DemoClip> made;
  for (Recipe& r : recipes) {
    r.clip.path = dir / r.file;
    r.clip.recorded_at = iso_utc(r.start);
    write_clip(r);
    made.push_back(r.clip);
  }
  return made;
}

}  // namespace courtplay::assets
