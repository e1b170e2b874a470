// The dash camera's picture: a country road ahead in perspective. A point `z` metres ahead and
// `X` metres to the right of the camera is drawn at y = horizon + f * height / z and
// x = centre + f * X / z, so straight lines along the road stay straight on screen and every
// strip of paint is one trapezoid. Positions are in a 1280x720 design, scaled to the picture.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "assets/demo_scenes.h"

namespace courtplay::assets {
namespace {

constexpr double kTwoPi = 2 * std::numbers::pi;
constexpr double kMetresPerSecondPerMph = 0.44704;
constexpr double kHorizon = 290, kFocal = 760, kCameraHeight = 1.25;  // design pixels, metres
constexpr double kNear = 1.2;                                           // metres: below the picture
constexpr double kSpeedPeriod = 9;                                      // seconds

// Metres driven since t = 0 at road_speed_mph(): its integral.
double distance_m(double t) {
  const double mph = 31 * t + 3 * kSpeedPeriod / kTwoPi * (1 - std::cos(kTwoPi * t / kSpeedPeriod));
  return mph * kMetresPerSecondPerMph;
}

class RoadScene final : public Scene {
 public:
  explicit RoadScene(std::string device) : device_(std::move(device)) {}

  void paint(Canvas& c, const SceneTime& at) override {
    k_ = c.height() / 720.0;
    if (!caption_) caption_ = std::make_unique<Caption>(watermark::kDefaultFont, s(22), 1);
    const double t = at.seconds, driven = distance_m(t);
    lateral_ = 0.25 * std::sin(kTwoPi * 0.07 * t);  // the car wanders a little in its lane
    // Road vibration shakes the world against the camera (the bonnet is fixed to it).
    c.set_offset(0, static_cast<int>(std::lround(1.3 * std::sin(kTwoPi * 6.5 * t) + 0.8 * std::sin(kTwoPi * 11 * t))));

    c.gradient(s(-10), s(kHorizon), c.rgb(140, 170, 208), c.rgb(206, 216, 226));
    c.gradient(s(kHorizon), s(730), c.rgb(104, 124, 84), c.rgb(64, 96, 48));  // fields and verges
    for (int i = 0; i < 24; ++i) {  // a far tree line along the horizon
      const int x = (i * 157) % 1400 - 60, r = 22 + (i * 37) % 30;
      c.ellipse(s(x), s(kHorizon - 6), s(r * 1.6), s(r * 0.7), c.rgb(70, 88, 70));
    }
    // Asphalt in depth bands, each 1.25 times as deep as the last: hazier with distance.
    for (double near = kNear; near < 600; near *= 1.25) {
      const int g = 60 + static_cast<int>(std::min(50.0, 9 * std::log2(near / kNear)));
      strip(c, -2.4, 5.9, near, near * 1.25, c.rgb(g, g, g + 4));
    }
    const auto paint_white = c.rgb(228, 228, 222);
    strip(c, -1.85, -1.72, kNear, 600, paint_white);  // edge lines
    strip(c, 5.2, 5.33, kNear, 600, paint_white);
    const double phase = std::fmod(driven, 9.0);  // centre line: 3 m dashes every 9 m
    for (double z = 9 - phase; z < 250; z += 9) strip(c, 1.68, 1.82, std::max(kNear, z - 3), z, paint_white);

    // Roadside, far to near so that near things cover far ones: marker posts and trees.
    for (int j = 40; j >= 0; --j) {
      const double z = 50.0 * j + 50 - std::fmod(driven, 50.0);
      if (z > kNear) post(c, -3.3, z, 1.0, 0.12, c.rgb(235, 235, 230));
      const double tz = 35.0 * j + 20 - std::fmod(driven + 10, 35.0);
      if (tz > 2.5) tree(c, -7.5, tz);
      const double rz = 35.0 * j + 5 - std::fmod(driven + 22, 35.0);
      if (rz > 2.5) tree(c, 10.5, rz);
    }
    lead_car(c, 22 + 4 * std::sin(kTwoPi * t / 8));

    c.set_offset(0, 0);
    c.trapezoid(s(652), s(230), s(1050), s(730), s(-60), s(1340), c.rgb(32, 34, 40));   // bonnet
    c.trapezoid(s(652), s(330), s(950), s(664), s(300), s(980), c.rgb(70, 74, 84));    // its sheen
    caption(c, at);
  }

 private:
  int s(double design) const { return static_cast<int>(std::lround(design * k_)); }
  double y_at(double z) const { return k_ * (kHorizon + kFocal * kCameraHeight / z); }
  double x_at(double x, double z) const { return k_ * (640 + kFocal * (x - lateral_) / z); }

  // A flat strip on the road from `left` to `right` metres across, `near` to `far` metres ahead.
  void strip(Canvas& c, double left, double right, double near, double far, Colour colour) const {
    c.trapezoid(y_at(far), x_at(left, far), x_at(right, far), y_at(near), x_at(left, near), x_at(right, near), colour);
  }
  // An upright box standing on the ground: its front face, `tall` and `wide` metres.
  void post(Canvas& c, double x, double z, double tall, double wide, Colour colour) const {
    const double px = kFocal * k_ / z;
    c.rect(static_cast<int>(x_at(x, z)), static_cast<int>(y_at(z) - tall * px), std::max(1, static_cast<int>(wide * px)),
           std::max(1, static_cast<int>(tall * px)), colour);
  }
  void tree(Canvas& c, double x, double z) const {
    const double px = kFocal * k_ / z;
    post(c, x, z, 3.2, 0.45, c.rgb(74, 58, 44));
    c.ellipse(static_cast<int>(x_at(x + 0.22, z)), static_cast<int>(y_at(z) - 4.6 * px), static_cast<int>(2.6 * px),
              static_cast<int>(2.2 * px), c.rgb(46, 78, 42));
  }
  void lead_car(Canvas& c, double z) const {
    const double px = kFocal * k_ / z, left = x_at(-0.9, z), bottom = y_at(z);
    const auto box = [&](double x0, double y0, double w, double h, Colour colour) {
      c.rect(static_cast<int>(left + x0 * px), static_cast<int>(bottom - y0 * px), static_cast<int>(w * px),
             static_cast<int>(h * px), colour);
    };
    box(0.1, 0.25, 0.25, 0.25, c.rgb(20, 20, 20));  // tyres
    box(1.45, 0.25, 0.25, 0.25, c.rgb(20, 20, 20));
    box(0, 1.0, 1.8, 0.8, c.rgb(40, 56, 92));       // body
    box(0.2, 1.45, 1.4, 0.5, c.rgb(40, 56, 92));    // roof
    box(0.28, 1.4, 1.24, 0.36, c.rgb(30, 34, 40));  // rear window
    box(0.05, 0.85, 0.3, 0.14, c.rgb(200, 30, 30)); // lights
    box(1.45, 0.85, 0.3, 0.14, c.rgb(200, 30, 30));
    box(0.62, 0.62, 0.56, 0.13, c.rgb(230, 200, 40));  // number plate
  }

  // The caption as the camera burns it in, once a second: time, speed, position, unit.
  void caption(Canvas& c, const SceneTime& at) {
    const double whole = std::floor(at.seconds), d = distance_m(whole);
    const double heading = 20 * std::numbers::pi / 180, lat = 51.48213 + d * std::cos(heading) / 111320;
    const double lon = -0.00761 + d * std::sin(heading) / (111320 * std::cos(lat * std::numbers::pi / 180));
    char where[64];
    std::snprintf(where, sizeof where, "%ld MPH  N%.5f %c%.5f", std::lround(road_speed_mph(whole)), lat,
                  lon < 0 ? 'W' : 'E', std::fabs(lon));
    const std::string text = clock_text(at.clock, "%d/%m/%Y %H:%M:%S") + "  " + where + "  " + device_;
    const int strip = s(40);
    c.darken(c.height() - strip, c.height(), 35);
    const auto& mask = caption_->mask(text);
    c.text(mask, s(14), c.height() - strip + (strip - mask.height) / 2, c.rgb(255, 255, 255), c.rgb(0, 0, 0));
  }

  std::string device_;
  double k_ = 1, lateral_ = 0;
  std::unique_ptr<Caption> caption_;
};

}  // namespace

double road_speed_mph(double seconds) { return 31 + 3 * std::sin(kTwoPi * seconds / kSpeedPeriod); }

std::unique_ptr<Scene> make_road_scene(const std::string& device) {
  return std::make_unique<RoadScene>(device);
}

}  // namespace courtplay::assets
