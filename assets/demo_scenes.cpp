// What the demo scenes share: people and clocks.
#include "assets/demo_scenes.h"

#include <algorithm>
#include <cmath>

namespace courtplay::assets {

void draw_person(Canvas& c, const Look& look, int x, int feet_y, int tall, double stride, double swing) {
  const double h = tall;
  const double s = std::sin(stride) * swing;
  const int head_r = static_cast<int>(h * 0.065);
  const int head_y = feet_y - tall + head_r;
  const double shoulders = feet_y - h * 0.82, hips = feet_y - h * 0.47;
  const double shoe = h * 0.035;

  // Legs first (the far leg a shade darker would be nicer; flat is enough at this size).
  for (const double side : {-1.0, 1.0}) {
    const double hip_x = x + side * h * 0.05, foot_x = hip_x + side * s * h * 0.13;
    c.trapezoid(hips, hip_x - h * 0.05, hip_x + h * 0.05, feet_y - shoe, foot_x - h * 0.035,
                foot_x + h * 0.035, look.legs);
    c.rect(static_cast<int>(foot_x - h * 0.04), static_cast<int>(feet_y - shoe),
           static_cast<int>(h * 0.09), static_cast<int>(shoe), look.shoes);
  }
  // Arms swing against the legs.
  for (const double side : {-1.0, 1.0}) {
    const double top_x = x + side * h * 0.13, hand_x = top_x + side * h * 0.02 - side * s * h * 0.08;
    c.trapezoid(shoulders + h * 0.02, top_x - h * 0.035, top_x + h * 0.035, hips + h * 0.06,
                hand_x - h * 0.028, hand_x + h * 0.028, look.top);
    c.ellipse(static_cast<int>(hand_x), static_cast<int>(hips + h * 0.07), static_cast<int>(h * 0.025),
              static_cast<int>(h * 0.03), look.skin);
  }
  c.trapezoid(shoulders, x - h * 0.13, x + h * 0.13, hips + h * 0.03, x - h * 0.11, x + h * 0.11, look.top);
  c.ellipse(x, static_cast<int>(shoulders + h * 0.015), static_cast<int>(h * 0.13), static_cast<int>(h * 0.035),
            look.top);
  c.rect(x - static_cast<int>(h * 0.025), head_y + head_r - 2, static_cast<int>(h * 0.05),
         static_cast<int>(shoulders - head_y - head_r + 4), look.skin);  // neck
  // Hair, then the face over its lower part: a hairline.
  c.ellipse(x, head_y - head_r / 10, static_cast<int>(head_r * 0.92), head_r, look.hair);
  c.ellipse(x, head_y + head_r / 5, static_cast<int>(head_r * 0.75), static_cast<int>(head_r * 0.8), look.skin);
  if (head_r >= 12) {  // near enough to see a face: eyes and a mouth, nothing more
    for (const int side : {-1, 1}) c.ellipse(x + side * head_r * 3 / 10, head_y + head_r / 4, head_r / 10, head_r / 12, look.hair);
    c.rect(x - head_r / 5, head_y + head_r * 13 / 20, head_r * 2 / 5, std::max(2, head_r / 14), look.hair);
  }
}

std::string clock_text(std::time_t clock, const char* format) {
  std::tm tm{};
  gmtime_r(&clock, &tm);
  char text[64];
  const size_t n = std::strftime(text, sizeof text, format, &tm);
  return std::string(text, n);
}

}  // namespace courtplay::assets
