// The body-worn camera's picture: the officer stands on one pavement facing the shops across the
// road and a person in front of them. Positions are in a 1920x1080 design and scaled to the picture.
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

#include "assets/demo_scenes.h"

namespace courtplay::assets {
namespace {

constexpr double kTwoPi = 2 * std::numbers::pi;

struct Shop {
  int x, w, roof;            // design pixels; the facade runs from `roof` down to the pavement
  std::array<int, 3> wall, sign;
  const char* name;
};

// Across the road, left to right, wider than the picture so that the shake never shows an edge.
constexpr std::array<Shop, 7> kShops = {{
    {-320, 380, 120, {150, 84, 62}, {30, 70, 40}, "BOOKS"},
    {60, 420, 70, {196, 180, 150}, {20, 90, 60}, "PHARMACY"},
    {480, 360, 140, {120, 70, 56}, {130, 30, 30}, "HIGH ST CAFE"},
    {840, 400, 90, {170, 165, 158}, {30, 50, 110}, "NEWS & WINE"},
    {1240, 380, 130, {140, 96, 70}, {150, 110, 20}, "BAKERY"},
    {1620, 420, 60, {205, 195, 175}, {60, 60, 70}, "OPTICIANS"},
    {2040, 360, 110, {128, 80, 66}, {100, 30, 80}, "LAUNDERETTE"},
}};

struct Walker {
  int x0;         // design x at t = 0
  double speed;   // design pixels per second, signed
  int tall;
  Look look;
};

struct Car {
  double x0, speed;  // front-left corner at t = 0; signed speed
  int bottom;        // design y of the wheels' bottom
  double scale;
  std::array<int, 3> paint;
};

constexpr std::array<Car, 3> kCars = {{
    {-700, 520, 852, 1.0, {180, 30, 36}},
    {2300, -430, 786, 0.82, {40, 60, 110}},
    {-2600, 470, 852, 1.0, {210, 210, 214}},
}};

class StreetScene final : public Scene {
 public:
  explicit StreetScene(std::string device) : device_(std::move(device)) {}

  void paint(Canvas& c, const SceneTime& at) override {
    k_ = c.height() / 1080.0;
    if (!ready_) prepare(c);
    const double t = at.seconds;
    // A chest-mounted camera: slow sway as the officer shifts, a faster tremor from breathing and
    // stepping, and a slow drift to the right over the clip.
    const double dx = 16 * std::sin(kTwoPi * 0.31 * t) + 7 * std::sin(kTwoPi * 0.83 * t + 1.3) +
                      2.5 * std::sin(kTwoPi * 2.1 * t + 0.4) + 30 - 6 * t;
    const double dy = 9 * std::sin(kTwoPi * 0.27 * t + 2) + 4 * std::sin(kTwoPi * 1.7 * t) +
                      1.5 * std::sin(kTwoPi * 3.9 * t + 0.7);
    c.set_offset(s(dx), s(dy));

    c.gradient(s(-100), s(650), c.rgb(178, 192, 210), c.rgb(214, 218, 222));  // overcast sky
    for (size_t i = 0; i < kShops.size(); ++i) paint_shop(c, kShops[i], signs_[i]);
    c.rect(s(-400), s(640), s(2800), s(60), c.rgb(150, 150, 146));  // far pavement
    c.rect(s(-400), s(700), s(2800), s(8), c.rgb(190, 190, 184));   // kerb
    const int road_top = s(708), road_bottom = s(860);
    for (int y = road_top; y < road_bottom; ++y) {
      const int g = 70 + 20 * (y - road_top) / (road_bottom - road_top);
      c.span(y, s(-400), s(2400), c.rgb(g, g, g + 3));
    }
    for (int x = -400; x < 2400; x += 240) c.rect(s(x), s(776), s(130), s(6), c.rgb(225, 225, 220));
    for (const Walker& w : walkers_) {
      const double x = std::fmod(w.x0 + w.speed * t + 3000.0, 3000.0) - 500;
      draw_person(c, w.look, s(x), s(694), s(w.tall), kTwoPi * 1.7 * t + w.x0, 1.0);
    }
    for (const Car& car : kCars) paint_car(c, car, t);
    for (int y = s(860); y < s(1180); ++y) {  // near pavement: slabs, lighter towards the camera
      const int g = 138 + 30 * (y - s(860)) / s(320);
      c.span(y, s(-400), s(2400), c.rgb(g, g, g - 4));
    }
    for (int x = -400; x < 2400; x += 200) c.rect(s(x), s(860), s(4), s(320), c.rgb(112, 112, 108));
    c.rect(s(-400), s(960), s(2800), s(4), c.rgb(112, 112, 108));

    // The person the officer is talking to, close and a little to the right: swaying, nodding.
    const double sway = 10 * std::sin(kTwoPi * 0.4 * t) + 4 * std::sin(kTwoPi * 0.7 * t + 1);
    draw_person(c, subject_, s(1180 + sway), s(1640), s(1300), 0, 0);

    c.set_offset(0, 0);
    paint_clock(c, at);
  }

 private:
  int s(double design) const { return static_cast<int>(std::lround(design * k_)); }

  void prepare(Canvas& c) {
    watermark::GlyphCache sign_font(kSignFont, s(30));
    for (const Shop& shop : kShops) {
      signs_.push_back(watermark::draw_text(sign_font, {watermark::decode_utf8(shop.name)}, 0));
    }
    clock_ = std::make_unique<Caption>(watermark::kDefaultFont, body_worn_strip_height(c.height()) * 6 / 10, 1);
    const auto look = [&](std::array<int, 3> top, std::array<int, 3> legs, std::array<int, 3> hair) {
      return Look{c.rgb(214, 170, 140), c.rgb(hair[0], hair[1], hair[2]), c.rgb(top[0], top[1], top[2]),
                  c.rgb(legs[0], legs[1], legs[2]), c.rgb(30, 30, 32)};
    };
    walkers_ = {
        {200, 95, 196, look({40, 60, 120}, {50, 50, 60}, {60, 40, 25})},
        {1400, -80, 188, look({170, 40, 40}, {40, 40, 50}, {20, 20, 20})},
        {2300, -110, 200, look({200, 190, 90}, {70, 70, 90}, {140, 100, 60})},
        {900, 70, 182, look({90, 110, 80}, {30, 30, 30}, {90, 70, 50})},
    };
    subject_ = look({96, 98, 104}, {54, 70, 104}, {48, 34, 26});  // grey hoodie, jeans
    ready_ = true;
  }

  void paint_shop(Canvas& c, const Shop& shop, const watermark::TextMask& sign) {
    const auto wall = c.rgb(shop.wall[0], shop.wall[1], shop.wall[2]);
    c.rect(s(shop.x), s(shop.roof), s(shop.w), s(640 - shop.roof), wall);
    c.rect(s(shop.x), s(shop.roof), s(shop.w), s(12), c.rgb(90, 88, 86));  // parapet
    const auto glass = c.rgb(70, 84, 100), sky_in_glass = c.rgb(150, 165, 180), sill = c.rgb(225, 222, 214);
    for (int y = shop.roof + 50; y + 90 < 450; y += 120) {  // upper floors' sash windows
      for (int x = shop.x + 40; x + 70 < shop.x + shop.w; x += 110) {
        c.rect(s(x - 4), s(y - 4), s(78), s(98), sill);
        c.rect(s(x), s(y), s(70), s(90), glass);
        c.rect(s(x), s(y), s(70), s(30), sky_in_glass);
        c.rect(s(x), s(y + 44), s(70), s(4), sill);
      }
    }
    const auto board = c.rgb(shop.sign[0], shop.sign[1], shop.sign[2]);
    c.rect(s(shop.x + 10), s(468), s(shop.w - 20), s(56), board);
    c.text(sign, s(shop.x) + (s(shop.w) - sign.width) / 2, s(496) - sign.height / 2, c.rgb(240, 236, 220),
           c.rgb(240, 236, 220));
    c.rect(s(shop.x + 20), s(536), s(shop.w - 130), s(104), c.rgb(46, 54, 62));       // shop window
    c.rect(s(shop.x + 20), s(536), s(shop.w - 130), s(22), c.rgb(110, 120, 130));     // its reflection
    c.rect(s(shop.x + shop.w - 94), s(540), s(66), s(100), c.rgb(60, 44, 36));        // door
  }

  void paint_car(Canvas& c, const Car& car, double t) {
    const double len = 430 * car.scale, tall = 120 * car.scale;
    const double x = car.x0 + car.speed * t, bottom = car.bottom - 14 * car.scale;
    const auto paint = c.rgb(car.paint[0], car.paint[1], car.paint[2]);
    const auto window = c.rgb(40, 48, 58), dark = c.rgb(24, 24, 26);
    c.trapezoid(s(bottom - tall - 60 * car.scale), s(x + len * 0.28), s(x + len * 0.72), s(bottom - tall),
                s(x + len * 0.18), s(x + len * 0.86), paint);  // cabin
    c.trapezoid(s(bottom - tall - 50 * car.scale), s(x + len * 0.31), s(x + len * 0.69), s(bottom - tall - 4),
                s(x + len * 0.23), s(x + len * 0.82), window);
    c.rect(s(x), s(bottom - tall), s(len), s(tall - 20 * car.scale), paint);  // body
    c.rect(s(x), s(bottom - 34 * car.scale), s(len), s(14 * car.scale), dark);  // bumpers and sills
    for (const double wheel : {0.2, 0.8}) {
      c.ellipse(s(x + len * wheel), s(bottom - 12 * car.scale), s(40 * car.scale), s(40 * car.scale), dark);
      c.ellipse(s(x + len * wheel), s(bottom - 12 * car.scale), s(18 * car.scale), s(18 * car.scale),
                c.rgb(150, 150, 155));
    }
    const bool rightwards = car.speed > 0;
    c.rect(s(rightwards ? x + len - 14 : x), s(bottom - tall + 10), s(14), s(18), c.rgb(250, 240, 200));
  }

  // Black strip, white monospaced clock and id: what the camera burns in, on every frame.
  void paint_clock(Canvas& c, const SceneTime& at) {
    const int strip = body_worn_strip_height(c.height());
    c.rect(0, 0, c.width(), strip, c.rgb(0, 0, 0));
    const auto& mask = clock_->mask(clock_text(at.clock, "%Y-%m-%d %H:%M:%S Z") + "  " + device_);
    c.text(mask, strip / 2, (strip - mask.height) / 2, c.rgb(255, 255, 255), c.rgb(0, 0, 0));
  }

  std::string device_;
  double k_ = 1;
  bool ready_ = false;
  std::vector<watermark::TextMask> signs_;
  std::unique_ptr<Caption> clock_;
  std::vector<Walker> walkers_;
  Look subject_{};
};

}  // namespace

std::unique_ptr<Scene> make_street_scene(const std::string& device) {
  return std::make_unique<StreetScene>(device);
}

}  // namespace courtplay::assets
