// The demo's evidence clips (assets/demo_clips.h), proved by decoding them with libavformat and
// libavcodec: codecs, sizes, frame rates and durations; body-worn sound that has the rhythm and
// the voiced pitch of speech; burnt-in clocks that tesseract reads as the recording's start and
// that move on exactly when a second of frames has passed.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "assets/demo_clips.h"
#include "player/av_ptr.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace fs = std::filesystem;
using namespace courtplay::assets;
using courtplay::player::CodecPtr;
using courtplay::player::FramePtr;
using courtplay::player::InputPtr;
using courtplay::player::PacketPtr;

namespace {

const int quiet_ffmpeg = (av_log_set_level(AV_LOG_ERROR), 0);

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "courtplay-demo-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

// The set is made once per test process (ctest runs each test case in a process of its own).
struct DemoSet {
  TempDir dir;
  std::vector<DemoClip> clips = make_demo_clips(dir.path);
};
const DemoSet& demo_set() {
  static const DemoSet set;
  return set;
}

struct Luma {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
  int at(int x, int y) const { return pixels[static_cast<size_t>(y) * width + x]; }
};

// What a clip decodes to.
struct Decoded {
  std::string container, creation_time;
  double container_seconds = 0;
  std::string video_codec;
  int width = 0, height = 0;
  AVPixelFormat pix_fmt = AV_PIX_FMT_NONE;
  AVRational frame_rate{0, 1};
  int frames = 0;
  double video_seconds = 0;         // last frame's time + its duration - first frame's time
  std::map<int, Luma> kept;         // the luma of the frames asked for, by frame number
  std::string audio_codec;          // "" = no audio stream
  int sample_rate = 0;
  std::vector<float> audio;         // channels mixed to mono
};

CodecPtr open_decoder(const AVStream* st) {
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  REQUIRE(codec != nullptr);
  CodecPtr dec(avcodec_alloc_context3(codec));
  REQUIRE(avcodec_parameters_to_context(dec.get(), st->codecpar) >= 0);
  dec->pkt_timebase = st->time_base;
  REQUIRE(avcodec_open2(dec.get(), codec, nullptr) >= 0);
  return dec;
}

// Keeps the luma of the frames the clock checks compare: with n frames a second, the first, the
// middle and the last of the first second, and the first and the middle of the next.
Decoded decode(const fs::path& path) {
  Decoded out;
  AVFormatContext* raw = nullptr;
  REQUIRE(avformat_open_input(&raw, path.c_str(), nullptr, nullptr) == 0);
  InputPtr in(raw);
  REQUIRE(avformat_find_stream_info(in.get(), nullptr) >= 0);
  out.container = in->iformat->name;
  out.container_seconds = in->duration / double(AV_TIME_BASE);
  if (auto* e = av_dict_get(in->metadata, "creation_time", nullptr, 0)) out.creation_time = e->value;

  const int vi = av_find_best_stream(in.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  const int ai = av_find_best_stream(in.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  REQUIRE(vi >= 0);
  const AVStream* vst = in->streams[vi];
  out.video_codec = avcodec_get_name(vst->codecpar->codec_id);
  out.frame_rate = vst->avg_frame_rate;
  const int n = static_cast<int>(av_q2d(vst->avg_frame_rate));
  const std::vector<int> keep = {0, n / 2, n - 1, n, n + n / 2};
  const CodecPtr vdec = open_decoder(vst);
  CodecPtr adec;
  if (ai >= 0) {
    adec = open_decoder(in->streams[ai]);
    out.audio_codec = avcodec_get_name(in->streams[ai]->codecpar->codec_id);
    out.sample_rate = adec->sample_rate;
  }

  FramePtr frame(av_frame_alloc());
  double first = -1, last = 0, last_duration = 0;
  const auto drain = [&](AVCodecContext* dec, int index) {
    while (avcodec_receive_frame(dec, frame.get()) == 0) {
      if (index == vi) {
        out.width = frame->width;
        out.height = frame->height;
        out.pix_fmt = static_cast<AVPixelFormat>(frame->format);
        const double t = frame->best_effort_timestamp * av_q2d(vst->time_base);
        if (first < 0) first = t;
        last = t;
        last_duration = frame->pkt_duration * av_q2d(vst->time_base);
        if (std::find(keep.begin(), keep.end(), out.frames) != keep.end()) {
          Luma& l = out.kept[out.frames];
          l.width = frame->width;
          l.height = frame->height;
          for (int y = 0; y < frame->height; ++y) {
            const uint8_t* row = frame->data[0] + static_cast<ptrdiff_t>(y) * frame->linesize[0];
            l.pixels.insert(l.pixels.end(), row, row + frame->width);
          }
        }
        ++out.frames;
      } else {
        REQUIRE(frame->format == AV_SAMPLE_FMT_FLTP);  // what FFmpeg's aac decoder gives
        const int channels = frame->ch_layout.nb_channels;
        for (int i = 0; i < frame->nb_samples; ++i) {
          float sum = 0;
          for (int c = 0; c < channels; ++c) sum += reinterpret_cast<const float*>(frame->extended_data[c])[i];
          out.audio.push_back(sum / channels);
        }
      }
      av_frame_unref(frame.get());
    }
  };
  PacketPtr pkt(av_packet_alloc());
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    AVCodecContext* dec = pkt->stream_index == vi ? vdec.get() : pkt->stream_index == ai ? adec.get() : nullptr;
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
  out.video_seconds = last + last_duration - first;
  return out;
}

// Each clip is decoded once per process, by the first section that asks.
const Decoded& decoded(size_t clip) {
  static std::map<size_t, Decoded> cache;
  if (auto it = cache.find(clip); it != cache.end()) return it->second;
  return cache.emplace(clip, decode(demo_set().clips.at(clip).path)).first->second;
}

std::time_t parse_iso_utc(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end != '\0' || text.size() != 20) return -1;
  return timegm(&tm);
}

// Pixels of a box that differ by more than a quarter of the range between two frames: more than
// the coding noise around sharp letters (the first frame's is the worst, up to ~40 levels), less
// than a letter's stroke replaced by the background.
int changed_pixels(const Luma& a, const Luma& b, int x0, int y0, int x1, int y1) {
  int changed = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) changed += std::abs(a.at(x, y) - b.at(x, y)) > 64;
  return changed;
}

std::string run(const std::string& command) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  REQUIRE(pipe);
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe.get())) > 0;) out.append(buf, n);
  return out;
}

// What tesseract reads in a box of a frame. Every clip's text is white (outlined or on a dark
// strip), so the box is cut at a level between the letters and what is around them and written
// as black letters on white, three times the size, with a white margin: tesseract's best case.
std::string ocr(const Luma& l, int x0, int y0, int x1, int y1, const fs::path& file) {
  constexpr int kScale = 3, kMargin = 24;
  const int w = kScale * (x1 - x0) + 2 * kMargin, h = kScale * (y1 - y0) + 2 * kMargin;
  {
    std::ofstream pgm(file, std::ios::binary);
    pgm << "P5\n" << w << " " << h << "\n255\n";
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const int sx = x0 + (x - kMargin) / kScale, sy = y0 + (y - kMargin) / kScale;
        const bool inside = x >= kMargin && y >= kMargin && sx < x1 && sy < y1;
        pgm.put(static_cast<char>(inside && l.at(sx, sy) > 190 ? 0 : 255));
      }
    }
  }
  std::string text = run("OMP_THREAD_LIMIT=1 tesseract " + file.string() + " stdout --psm 7 2>/dev/null");
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

double rms(const std::vector<float>& s, size_t from, size_t n) {
  double sum = 0;
  for (size_t i = from; i < from + n; ++i) sum += double(s[i]) * s[i];
  return std::sqrt(sum / n);
}

// The pitch of a voiced stretch, Hz, and how periodic it is (normalised autocorrelation, 0..1):
// the shortest lag within 90 % of the best between 70 and 300 Hz, so that the period itself is
// chosen, not a multiple of it.
std::pair<double, double> pitch(const std::vector<float>& s, size_t from, size_t n, int rate) {
  const auto corr = [&](size_t lag) {
    double xy = 0, xx = 0, yy = 0;
    for (size_t i = from; i + lag < from + n; ++i) {
      xy += double(s[i]) * s[i + lag];
      xx += double(s[i]) * s[i];
      yy += double(s[i + lag]) * s[i + lag];
    }
    return xy / std::sqrt(xx * yy + 1e-20);
  };
  std::vector<double> r;
  const size_t lo = rate / 300, hi = rate / 70;
  for (size_t lag = lo; lag <= hi; ++lag) r.push_back(corr(lag));
  const double best = *std::max_element(r.begin(), r.end());
  size_t i = 0;
  while (r[i] < 0.9 * best) ++i;
  return {double(rate) / double(lo + i), best};
}

}  // namespace

TEST_CASE("make_demo_clips makes a body-worn, a dash-cam and a CCTV clip that decode as meant", "[demo]") {
  const DemoSet& set = demo_set();
  REQUIRE(set.clips.size() == 3);

  SECTION("each clip says what it is, where it is and when it was recorded") {
    const char* devices[] = {"BWV-4172", "DC-RV21", "CAM 03"};
    const char* kinds[] = {"Body-worn", "Dash", "CCTV"};
    for (size_t i = 0; i < 3; ++i) {
      const DemoClip& c = set.clips[i];
      INFO(c.path << " | " << c.title << " | " << c.device << " | " << c.recorded_at);
      CHECK(c.path.parent_path() == set.dir.path);
      CHECK(fs::file_size(c.path) > 100'000);
      CHECK(c.title.rfind(kinds[i], 0) == 0);
      CHECK(c.device == devices[i]);
      const std::time_t t = parse_iso_utc(c.recorded_at);
      REQUIRE(t > 0);
      char back[32];
      std::tm tm{};
      std::strftime(back, sizeof back, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
      CHECK(c.recorded_at == back);  // a real date and time, not just the right shape
    }
    CHECK(parse_iso_utc("2026-11-12 14:03:22") == -1);  // the parser itself refuses other shapes
  }

  SECTION("body-worn: 1920x1080 H.264 at 30 fps with AAC, 10 s, in MP4") {
    const Decoded& d = decoded(0);
    CHECK(d.container.find("mp4") != std::string::npos);
    CHECK(d.video_codec == "h264");
    CHECK((d.width == 1920 && d.height == 1080));
    CHECK(d.pix_fmt == AV_PIX_FMT_YUV420P);
    CHECK(av_cmp_q(d.frame_rate, AVRational{30, 1}) == 0);
    CHECK(d.frames == 300);
    CHECK(d.video_seconds == Approx(10.0).margin(0.2));
    CHECK(d.container_seconds == Approx(10.0).margin(0.2));
    CHECK(d.audio_codec == "aac");
    CHECK(d.sample_rate == 48000);
    CHECK(d.audio.size() / 48000.0 == Approx(10.0).margin(0.2));
    CHECK(d.creation_time == set.clips[0].recorded_at.substr(0, 19) + ".000000Z");
    // About 4 Mb/s, as the camera would record.
    const double mbps = fs::file_size(set.clips[0].path) * 8 / 10.0 / 1e6;
    CHECK((mbps > 2.5 && mbps < 6.5));
  }

  SECTION("dash-cam: 1280x720 H.264 at 25 fps, 10 s, in MP4") {
    const Decoded& d = decoded(1);
    CHECK(d.container.find("mp4") != std::string::npos);
    CHECK(d.video_codec == "h264");
    CHECK((d.width == 1280 && d.height == 720));
    CHECK(av_cmp_q(d.frame_rate, AVRational{25, 1}) == 0);
    CHECK(d.frames == 250);
    CHECK(d.video_seconds == Approx(10.0).margin(0.2));
    CHECK(d.container_seconds == Approx(10.0).margin(0.2));
    CHECK(d.audio_codec == "aac");
    CHECK(d.audio.size() / 48000.0 == Approx(10.0).margin(0.2));
  }

  SECTION("CCTV: 704x576 MJPEG at 12.5 fps, 12 s, in AVI, silent") {
    const Decoded& d = decoded(2);
    CHECK(d.container == "avi");
    CHECK(d.video_codec == "mjpeg");
    CHECK((d.width == 704 && d.height == 576));
    CHECK((d.pix_fmt == AV_PIX_FMT_YUVJ420P || d.pix_fmt == AV_PIX_FMT_YUVJ422P));
    CHECK(av_cmp_q(d.frame_rate, AVRational{25, 2}) == 0);
    CHECK(d.frames == 150);
    CHECK(d.video_seconds == Approx(12.0).margin(0.2));
    CHECK(d.container_seconds == Approx(12.0).margin(0.2));
    CHECK(d.audio_codec.empty());
  }

  SECTION("the body-worn sound is talking: syllables, pauses, a voice's pitch that moves") {
    const Decoded& d = decoded(0);
    const std::vector<float>& s = d.audio;
    const size_t window = 48000 / 20;  // 50 ms
    std::vector<double> level;
    for (size_t at = 0; at + window <= s.size(); at += window) level.push_back(rms(s, at, window));
    const double loudest = *std::max_element(level.begin(), level.end());
    INFO("loudest 50 ms: RMS " << loudest);
    REQUIRE(loudest > 0.05);  // not silent
    const auto share = [&](auto pred) { return std::count_if(level.begin(), level.end(), pred) / double(level.size()); };
    const double pauses = share([&](double l) { return l < 0.05 * loudest; });
    const double syllables = share([&](double l) { return l > 0.4 * loudest; });
    INFO("pauses " << pauses << ", loud " << syllables);
    CHECK(pauses > 0.10);
    CHECK(syllables > 0.15);

    // Bursts of sound separated by near-silence: words and phrases, not one continuous tone.
    int bursts = 0;
    bool quiet = true;
    for (double l : level) {
      if (quiet && l > 0.4 * loudest) ++bursts, quiet = false;
      if (!quiet && l < 0.1 * loudest) quiet = true;
    }
    INFO("bursts " << bursts);
    CHECK(bursts >= 8);

    // Voiced: strongly periodic at a speaking pitch, and the pitch moves (intonation, two voices).
    std::vector<double> pitches;
    int periodic = 0, loud = 0;
    for (size_t k = 0; k < level.size(); ++k) {
      if (level[k] < 0.4 * loudest) continue;
      ++loud;
      const auto [hz, strength] = pitch(s, k * window, window, 48000);
      if (strength > 0.6) ++periodic, pitches.push_back(hz);
    }
    REQUIRE(!pitches.empty());
    std::sort(pitches.begin(), pitches.end());
    const double low = pitches[pitches.size() / 20], high = pitches[pitches.size() * 19 / 20];
    INFO("periodic " << periodic << " of " << loud << " loud windows; pitch 5th-95th percentile " << low
                     << " .. " << high << " Hz");
    CHECK(periodic >= 0.7 * loud);
    CHECK(low > 85);
    CHECK(high < 260);
    CHECK(high - low > 40);
  }

  SECTION("the body-worn clock reads the start, and moves on exactly a second of frames later") {
    const Decoded& d = decoded(0);
    const Luma &f0 = d.kept.at(0), &f15 = d.kept.at(15), &f29 = d.kept.at(29), &f30 = d.kept.at(30),
               &f45 = d.kept.at(45);
    // The clock's black strip is the top 1/20 of the picture (54 rows). Rows 0-47 are macroblocks
    // of strip alone, but the deblocking filter reaches 3 rows into them from the macroblocks
    // below, which hold the moving scene too: compare the rows above those.
    const int rows = 44;
    const int same[] = {changed_pixels(f0, f15, 0, 0, 1920, rows), changed_pixels(f0, f29, 0, 0, 1920, rows),
                        changed_pixels(f30, f45, 0, 0, 1920, rows)};
    const int moved_on = changed_pixels(f29, f30, 0, 0, 1920, rows);
    INFO("pixels changed in the strip: frames 0/15 " << same[0] << ", 0/29 " << same[1] << ", 30/45 " << same[2]
                                                     << "; 29/30 " << moved_on);
    for (int changed : same) CHECK(changed < 5);
    CHECK(moved_on > 60);  // one digit, 2 to 3: about 125 pixels
    // ... and not because the scene leaked into the strip: below it, the scene moves on anyway.
    CHECK(changed_pixels(f0, f15, 0, 100, 1920, 1080) > 10000);

    const std::string start = ocr(f0, 0, 0, 960, 54, set.dir.path / "bwv0.pgm");
    const std::string next = ocr(f30, 0, 0, 960, 54, set.dir.path / "bwv30.pgm");
    INFO("tesseract read '" << start << "' and '" << next << "'");
    CHECK(start.find("2026-11-12 14:03:22") != std::string::npos);
    CHECK(start.find("BWV-4172") != std::string::npos);
    CHECK(next.find("2026-11-12 14:03:23") != std::string::npos);
  }

  SECTION("the dash-cam and CCTV clocks read their clips' starts too") {
    const std::string dash = ocr(decoded(1).kept.at(0), 0, 680, 1280, 720, set.dir.path / "dc.pgm");
    INFO("dash-cam: tesseract read '" << dash << "'");
    CHECK(dash.find("12/11/2026 13:58:40") != std::string::npos);
    CHECK(dash.find("MPH") != std::string::npos);
    const std::string cctv = ocr(decoded(2).kept.at(0), 0, 0, 400, 44, set.dir.path / "cctv.pgm");
    INFO("CCTV: tesseract read '" << cctv << "'");
    CHECK(cctv.find("12/11/2026 14:01:07") != std::string::npos);
  }
}

TEST_CASE("courtplay-sample --demo-set DIR makes the set and prints one line per clip", "[demo][cli]") {
  TempDir dir;
  const fs::path set = dir.path / "made-here";  // the tool makes the directory
  const std::string out = run(std::string(COURTPLAY_SAMPLE_TOOL) + " --demo-set " + set.string() + " 2>&1");
  INFO(out);
  std::istringstream lines(out);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, '\t');) fields.push_back(cell);
    rows.push_back(fields);
  }
  REQUIRE(rows.size() == 3);
  const char* devices[] = {"BWV-4172", "DC-RV21", "CAM 03"};
  for (size_t i = 0; i < 3; ++i) {
    REQUIRE(rows[i].size() == 4);  // path, title, device, recorded_at
    CHECK(fs::path(rows[i][0]).parent_path() == set);
    CHECK(fs::file_size(rows[i][0]) > 100'000);
    CHECK(!rows[i][1].empty());
    CHECK(rows[i][2] == devices[i]);
    CHECK(parse_iso_utc(rows[i][3]) > 0);
  }
  const auto status = [](const std::string& args) {
    const int s = std::system((std::string(COURTPLAY_SAMPLE_TOOL) + " " + args + " >/dev/null 2>&1").c_str());
    return WIFEXITED(s) ? WEXITSTATUS(s) : -1;
  };
  CHECK(status("--demo-set " + set.string() + " " + (dir.path / "x.mp4").string()) == 2);  // one or the other
  CHECK(status("--demo-set /proc/no-such-place") == 1);
}
