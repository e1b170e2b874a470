// The CCTV camera's picture: fixed, high on a wall, looking down across a paved square at a row
// of shop fronts, in the washed-out grey of a cheap camera, with sensor grain. People crossing
// the square grow as they come nearer (lower in the picture). Positions are in a 704x576 design.
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

#include "assets/demo_scenes.h"

namespace courtplay::assets {
namespace {

constexpr double kTwoPi = 2 * std::numbers::pi;
constexpr int kFacadeBottom = 190;  // design rows: shop fronts above, paving below

struct Crosser {
  double x0, speed;  // design x at t = 0, design pixels per second
  int feet_y;        // depth: lower is nearer
  std::array<int, 3> top, legs;
};

constexpr std::array<Crosser, 4> kCrossers = {{
    {-40, 46, 300, {60, 60, 70}, {40, 40, 44}},
    {760, -38, 250, {150, 140, 120}, {60, 60, 70}},
    {120, 30, 470, {110, 50, 50}, {50, 50, 60}},
    {900, -64, 400, {200, 200, 196}, {70, 80, 100}},
}};

class SquareScene final : public Scene {
 public:
  explicit SquareScene(std::string camera) : camera_(std::move(camera)) {}

  void paint(Canvas& c, const SceneTime& at) override {
    k_ = c.height() / 576.0;
    if (grain_.empty()) prepare(c);
    const double t = at.seconds;

    c.gradient(0, s(kFacadeBottom), grey(c, 150, 146, 140), grey(c, 120, 118, 114));  // the facade
    for (int x = 10; x < 704; x += 140) {
      c.rect(s(x), s(20), s(110), s(48), grey(c, 84, 88, 96));     // first-floor windows
      c.rect(s(x), s(96), s(120), s(94), grey(c, 52, 56, 62));     // shop windows
      c.rect(s(x), s(96), s(120), s(14), grey(c, 140, 60, 50));    // fascia
      c.rect(s(x + 126), s(110), s(10), s(80), grey(c, 96, 92, 88)); // pier
    }
    c.gradient(s(kFacadeBottom), c.height(), grey(c, 128, 126, 122), grey(c, 168, 166, 160));
    const auto joint = grey(c, 104, 102, 98);
    for (double y = kFacadeBottom + 12; y < 576; y *= 1.09) c.rect(0, s(y), c.width(), std::max(1, s(1.5)), joint);
    for (int i = -6; i <= 14; ++i) {  // joints running away from the camera converge upwards
      const double bottom = i * 64.0, top = 352 + (bottom - 352) * 0.45;
      c.trapezoid(s(kFacadeBottom), s(top), s(top + 1.2), s(576), s(bottom), s(bottom + 2.5), joint);
    }
    for (int x = 60; x < 704; x += 150) {  // bollards along the shop fronts
      c.rect(s(x), s(200), s(10), s(26), grey(c, 60, 60, 60));
      c.ellipse(s(x + 5), s(200), s(5), s(3), grey(c, 90, 90, 90));
    }
    c.rect(s(470), s(330), s(120), s(12), grey(c, 110, 80, 60));  // a bench
    c.rect(s(478), s(342), s(8), s(22), grey(c, 50, 50, 50));
    c.rect(s(574), s(342), s(8), s(22), grey(c, 50, 50, 50));

    // Far people first, so that nearer ones pass in front of them.
    std::array<const Crosser*, kCrossers.size()> order;
    for (size_t i = 0; i < kCrossers.size(); ++i) order[i] = &kCrossers[i];
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->feet_y < b->feet_y; });
    for (const Crosser* p : order) {
      const double x = std::fmod(p->x0 + p->speed * t + 1000, 1000.0) - 150;
      const int tall = 40 + (p->feet_y - kFacadeBottom) * 2 / 5;
      draw_person(c, look(c, p->top, p->legs), s(x), s(p->feet_y), s(tall), kTwoPi * 1.6 * t + p->x0, 1);
    }
    // Someone waiting by the bench, shifting from foot to foot.
    draw_person(c, look(c, {40, 44, 52}, {30, 30, 34}), s(440 + 3 * std::sin(kTwoPi * 0.3 * t)), s(372), s(114), 0, 0);

    add_grain(c, at.frame);
    const auto& mask = caption_->mask(camera_ + "  " + clock_text(at.clock, "%d/%m/%Y %H:%M:%S"));
    c.text(mask, s(12), s(10), c.rgb(255, 255, 255), c.rgb(0, 0, 0));
  }

 private:
  int s(double design) const { return static_cast<int>(std::lround(design * k_)); }

  // Cheap cameras see little colour: everything is pulled three quarters of the way to its grey.
  static Colour grey(const Canvas& c, int r, int g, int b) {
    const int l = (299 * r + 587 * g + 114 * b) / 1000;
    return c.rgb(l + (r - l) / 4, l + (g - l) / 4, l + (b - l) / 4);
  }
  static Look look(const Canvas& c, std::array<int, 3> top, std::array<int, 3> legs) {
    return {grey(c, 200, 160, 136), grey(c, 50, 40, 34), grey(c, top[0], top[1], top[2]),
            grey(c, legs[0], legs[1], legs[2]), grey(c, 30, 30, 30)};
  }

  void prepare(const Canvas& c) {
    caption_ = std::make_unique<Caption>(watermark::kDefaultFont, s(20), 1);
    // A fixed table of small offsets, read from a different place each frame: grain that moves
    // without a random number generator in the frame loop.
    uint32_t state = 0x9E3779B9u;
    grain_.resize(static_cast<size_t>(c.width()) * c.height() + 4096);
    for (auto& g : grain_) {
      state ^= state << 13, state ^= state >> 17, state ^= state << 5;  // xorshift32
      g = static_cast<int8_t>(static_cast<int>(state % 7) - 3);
    }
  }

  void add_grain(Canvas& c, int frame) {
    const size_t start = (static_cast<size_t>(frame) * 2741) % 4096;
    for (int y = 0; y < c.height(); ++y) {
      uint8_t* row = c.luma_row(y);
      const int8_t* g = &grain_[start + static_cast<size_t>(y) * c.width()];
      for (int x = 0; x < c.width(); ++x) row[x] = static_cast<uint8_t>(std::clamp(row[x] + g[x], 0, 255));
    }
  }

  std::string camera_;
  double k_ = 1;
  std::unique_ptr<Caption> caption_;
  std::vector<int8_t> grain_;
};

}  // namespace

std::unique_ptr<Scene> make_square_scene(const std::string& camera) {
  return std::make_unique<SquareScene>(camera);
}

}  // namespace courtplay::assets
