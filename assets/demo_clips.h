// The evidence clips `courtplay --demo` plays: three short recordings of one fictional incident
// on High Street, made on the spot by our own code (nothing is downloaded, nothing is in git), that
// look and sound enough like real footage to show the kiosk off: a body-worn camera with muffled
// talking, a dash camera, a CCTV camera. Each picture carries its device's burnt-in clock, which
// shows `recorded_at` on the first frame and moves on a second with every second of the clip.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace courtplay::assets {

struct DemoClip {
  std::filesystem::path path;  // the file made
  std::string title;           // e.g. "Body-worn camera, PC 4172 Hughes, arrest on High Street"
  std::string device;          // camera/device id, e.g. "BWV-4172"
  std::string recorded_at;     // ISO 8601 UTC "2026-11-12T14:03:22Z": what the burnt-in clock shows at frame 0
};

// Makes the demo's three clips in `dir` (which exists): body-worn, dash-cam, CCTV, in that order.
// Throws std::runtime_error saying what failed. Should take only a few seconds on 2 cores.
//   body-worn: 1920x1080, 30 fps, H.264 (x264 "fast", about 4 Mb/s) + AAC mono 48 kHz speech, MP4, 10 s;
//              the clock and id in a black strip along the top (1/20 of the height).
//   dash-cam:  1280x720, 25 fps, H.264 (x264 "veryfast", 3 Mb/s) + AAC mono 48 kHz engine noise, MP4, 10 s;
//              time, speed and GPS position in a strip along the bottom.
//   CCTV:      704x576, 12.5 fps, MJPEG (yuvj420p) in AVI, no sound, 12 s; the camera and time top left.
// Files already there under the same names are replaced.
std::vector<DemoClip> make_demo_clips(const std::filesystem::path& dir);

}  // namespace courtplay::assets
