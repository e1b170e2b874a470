// The pictures of the demo clips (demo_clips.h): procedural scenes that look enough like real
// evidence footage for a demonstration (a street seen from a body-worn camera, a road ahead of a
// dash camera, a square under a CCTV camera), each with the device's burnt-in clock.
// Internal to assets/.
#pragma once

#include <ctime>
#include <memory>
#include <string>

#include "assets/canvas.h"

namespace courtplay::assets {

struct SceneTime {
  int frame = 0;        // 0-based
  double seconds = 0;   // the frame's presentation time
  std::time_t clock{};  // what the burnt-in clock shows: the recording's start + whole seconds
};

class Scene {
 public:
  virtual ~Scene() = default;
  // Paints the whole picture (every pixel) for one frame.
  virtual void paint(Canvas& canvas, const SceneTime& at) = 0;
};

// The body-worn camera: a shop-lined street across the road, passers-by and traffic, a person
// talking to the officer, all shaking gently as a chest-mounted camera does. Its clock and id
// ("2026-11-12 14:03:22 Z  BWV-4172") sit in an opaque black strip along the top,
// body_worn_strip_height() rows tall, that nothing else is drawn over.
std::unique_ptr<Scene> make_street_scene(const std::string& device);
inline int body_worn_strip_height(int picture_height) { return picture_height / 20; }

// The dash camera: the road ahead with its lane markings and verges rushing past at road_speed_mph(),
// a car in front, the bonnet below, and a caption strip with the time, speed and GPS position.
std::unique_ptr<Scene> make_road_scene(const std::string& device);
double road_speed_mph(double seconds);

// The CCTV camera: a fixed, high, greyish view of a paved square with people crossing it, sensor
// grain, and "CAM 03  12/11/2026 14:01:07" in the top-left corner.
std::unique_ptr<Scene> make_square_scene(const std::string& camera);

// ---- shared by the scenes ----

// What a person wears; drawn flat, seen from the front or side.
struct Look {
  Colour skin, hair, top, legs, shoes;
};
// A person `tall` pixels high standing on (x, feet_y). `stride` is the walking phase in radians
// (legs and arms swing with its sine); `swing` 0 stands still, 1 walks briskly.
void draw_person(Canvas& canvas, const Look& look, int x, int feet_y, int tall, double stride, double swing);

// The clock as the device prints it: strftime(format) of `clock` in UTC.
std::string clock_text(std::time_t clock, const char* format);

}  // namespace courtplay::assets
