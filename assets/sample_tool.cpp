// courtplay-sample: writes one sample clip from the command line (see assets/sample_clip.h), or
// with --demo-set DIR the demo's evidence clips (assets/demo_clips.h), one line each on stdout:
// path, title, device and recorded_at, separated by tabs.
// Exit status: 0 written, 2 bad arguments, 1 the clip could not be written (one line on stderr).
#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>

#include "assets/demo_clips.h"
#include "assets/sample_clip.h"

extern "C" {
#include <libavutil/log.h>
}

// libx265 3.5 (Debian 12) leaks ~12 KB per encoder it opens (x265::FrameFilter::init); not ours
// to fix, and it would fail this tool under LeakSanitizer.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libx265.so\n";
}

namespace {

using courtplay::assets::SampleSpec;

// A whole decimal number filling all of `text`.
template <typename T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (err != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool parse_size(const std::string& text, SampleSpec& spec) {
  const auto x = text.find_first_of("xX");
  if (x == std::string::npos) return false;
  const auto w = parse_number<int>(std::string_view(text).substr(0, x));
  const auto h = parse_number<int>(std::string_view(text).substr(x + 1));
  if (!w || !h || *w <= 0 || *h <= 0) return false;
  spec.width = *w;
  spec.height = *h;
  return true;
}

// "30" or "30000/1001".
bool parse_fps(const std::string& text, SampleSpec& spec) {
  const auto slash = text.find('/');
  const auto num = parse_number<int>(std::string_view(text).substr(0, slash));
  const auto den = slash == std::string::npos ? std::optional<int>(1)
                                              : parse_number<int>(std::string_view(text).substr(slash + 1));
  if (!num || !den || *num <= 0 || *den <= 0) return false;
  spec.fps_num = *num;
  spec.fps_den = *den;
  return true;
}

// "6000000", "6M", "800k", "1.5M".
bool parse_bitrate(const std::string& text, int64_t& bits) {
  if (text.empty()) return false;
  double scale = 1;
  std::string_view digits = text;
  switch (text.back()) {
    case 'k': case 'K': scale = 1e3; digits.remove_suffix(1); break;
    case 'm': case 'M': scale = 1e6; digits.remove_suffix(1); break;
    case 'g': case 'G': scale = 1e9; digits.remove_suffix(1); break;
    default: break;
  }
  const auto value = parse_number<double>(digits);
  if (!value || *value < 0 || *value * scale > 1e11) return false;
  bits = static_cast<int64_t>(*value * scale + 0.5);
  return true;
}

std::string codec_or_none(const std::string& name) {
  return name == "none" ? std::string() : name;
}

int make_demo_set(const std::string& dir) {
  try {
    std::filesystem::create_directories(dir);
    for (const auto& clip : courtplay::assets::make_demo_clips(dir)) {
      std::printf("%s\t%s\t%s\t%s\n", clip.path.c_str(), clip.title.c_str(), clip.device.c_str(),
                  clip.recorded_at.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "courtplay-sample: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  SampleSpec spec;
  std::string size, fps, bitrate, demo_dir;
  std::string vcodec = spec.video_codec, acodec = spec.audio_codec;
  bool verbose = false;

  CLI::App app{"Writes a courtplay sample clip: frame-numbered video and clicking audio."};
  auto* out = app.add_option("OUT", spec.path, "output file");
  app.add_option("--demo-set", demo_dir, "instead: make the demo's evidence clips in DIR")
      ->option_text("DIR")
      ->excludes(out);
  app.add_option("--container", spec.container,
                 "libavformat short name (mp4, mov, matroska, mpegts, avi); default from OUT");
  app.add_option("--vcodec", vcodec, "video encoder, or none")->capture_default_str();
  app.add_option("--acodec", acodec, "audio encoder, or none")->capture_default_str();
  app.add_option("--size", size, "WxH (default 320x240)");
  app.add_option("--fps", fps, "N or N/D (default 25)");
  app.add_option("--seconds", spec.seconds, "duration")->capture_default_str();
  app.add_option("--gop", spec.gop, "keyframe interval in frames")->capture_default_str();
  app.add_option("--bitrate", bitrate, "video bitrate, e.g. 6M (default: fixed quality)");
  app.add_flag("--vfr", spec.vfr, "variable frame rate");
  app.add_option("--rotate", spec.rotation, "display rotation as ffprobe reports it (counter-clockwise): 0, 90, 180 or 270 (mp4/mov)")
      ->check(CLI::IsMember({0, 90, 180, 270}));
  app.add_option("--clicks", spec.click_every, "seconds between audio clicks (0 = none)")
      ->capture_default_str();
  app.add_option("--sample-rate", spec.sample_rate, "audio sample rate")->capture_default_str();
  app.add_option("--channels", spec.channels, "audio channels")->capture_default_str();
  app.add_option("--creation-time", spec.creation_time, "e.g. 2026-03-01T09:30:00.000000Z");
  app.add_flag("-v,--verbose", verbose, "show FFmpeg's own log");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  // FFmpeg explains failures in its log too, over several lines; ours is the one-line summary.
  av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_QUIET);
  if (!demo_dir.empty()) return make_demo_set(demo_dir);
  if (spec.path.empty()) {
    std::fprintf(stderr, "courtplay-sample: OUT or --demo-set DIR is required (see --help)\n");
    return 2;
  }

  const auto bad = [](const char* option, const std::string& value) {
    std::fprintf(stderr, "courtplay-sample: bad %s '%s'\n", option, value.c_str());
    return 2;
  };
  if (!size.empty() && !parse_size(size, spec)) return bad("--size", size);
  if (!fps.empty() && !parse_fps(fps, spec)) return bad("--fps", fps);
  if (!bitrate.empty() && !parse_bitrate(bitrate, spec.video_bitrate)) return bad("--bitrate", bitrate);
  spec.video_codec = codec_or_none(vcodec);
  spec.audio_codec = codec_or_none(acodec);

  try {
    courtplay::assets::write_sample(spec);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "courtplay-sample: %s\n", e.what());
    return 1;
  }
  return 0;
}
