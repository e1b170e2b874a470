// Sample and fixture clips, made on demand: the tests make their own clips at test time (no
// binaries in git), the benchmark makes 1080p30 clips and `courtplay --demo` makes its evidence.
//
// Every video frame carries its frame number (0-based, presentation order) as a frame code at the
// top of the picture (see frame_code.h), with moving content below it so that P/B frames are
// realistic. The audio is silence with a short click at t = 0, click_every, 2 * click_every ...,
// which lets a test measure A/V sync and seek accuracy to the millisecond.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace courtplay::assets {

struct SampleSpec {
  std::string path;                     // output file; container from `container` or, if empty, the extension
  std::string container;                // "mp4","mov","matroska","mpegts","avi" (libavformat short names) or "" = guess from path
  std::string video_codec = "libx264";  // encoder name; "" = no video stream
  std::string audio_codec = "aac";      // "" = no audio stream
  int width = 320, height = 240;        // odd sizes work where the codec allows (x264/x265 then use yuv444p)
  int fps_num = 25, fps_den = 1;
  double seconds = 4.0;                 // duration of video (and audio)
  int gop = 25;                         // keyframe interval in frames (exact for x264/x265: scenecut off)
  int64_t video_bitrate = 0;            // bit/s; 0 = a small sensible quality (and the fastest presets)
  bool vfr = false;                     // variable frame rate: frame durations cycle irregularly through
                                        // 1,2,1,3,1,1,2 base intervals (1 base interval = fps_den/fps_num s)
  int rotation = 0;                     // 0/90/180/270: the display matrix's rotation as ffprobe
                                        // ("displaymatrix: rotation of 90.00 degrees") and
                                        // av_display_rotation_get() report it: counter-clockwise, so a
                                        // player turns the picture (360 - rotation) % 360 degrees clockwise
                                        // to show it upright; 270 reads back as -90. A phone's portrait
                                        // clip is 270 here. Only mp4/mov can store it.
  int sample_rate = 48000, channels = 2;
  double click_every = 1.0;             // an audio click at t = 0, click_every, ... (0 = no clicks; else >= 0.01)
  std::string creation_time;            // e.g. "2026-03-01T09:30:00.000000Z" in the container metadata; "" = none
};

// Writes the clip. Throws std::runtime_error with a clear message on failure (unknown encoder,
// a codec the container cannot hold, an unsupported sample rate ...); a partly written file is
// removed.
void write_sample(const SampleSpec& spec);

// Presentation times of the video frames write_sample() makes for `spec`, in base intervals
// (fps_den/fps_num seconds) from t = 0: frame k is shown at ticks[k] and carries code k.
// Empty when the spec has no video.
std::vector<int64_t> sample_frame_ticks(const SampleSpec& spec);

// Start times of the audio clicks, in samples at spec.sample_rate. Empty without audio or clicks.
std::vector<int64_t> sample_click_starts(const SampleSpec& spec);

}  // namespace courtplay::assets
