#include "kiosk/controls.h"

#include "audit/event.h"

#include <algorithm>
#include <cmath>

namespace courtplay::kiosk {
namespace {
using player::Micros;
namespace type = audit::event_type;

int64_t ms(Micros us) { return us / 1000; }
}  // namespace

void Controls::note(const char* type, Micros now, nlohmann::json details) {
    if (journal_) journal_->record(type, player_.state(now).position, std::move(details));
}

void Controls::play(Micros now) {
    note(type::play, now);
    player_.play();
}

void Controls::pause(Micros now) {
    note(type::pause, now);
    player_.pause();
}

void Controls::seek(Micros to, Micros now) {
    note(type::seek, now, {{"from_ms", ms(player_.state(now).position)}, {"to_ms", ms(to)}});
    player_.seek(to);
}

void Controls::jump(Micros delta, Micros now) {
    const Micros from = player_.state(now).position;
    note(type::seek, now, {{"from_ms", ms(from)}, {"to_ms", ms(std::max<Micros>(0, from + delta))}});
    player_.jump(delta);
}

void Controls::step(Micros now) {
    note(type::frame_step, now, {{"direction", "forward"}});
    player_.step();
}

void Controls::back(Micros now) {
    note(type::frame_step, now, {{"direction", "back"}});
    player_.back();
}

void Controls::set_rate(double rate, Micros now) {
    const double applied = std::clamp(rate, 0.25, 4.0);  // as the player clamps it
    note(type::rate_changed, now, {{"rate_permille", std::lround(applied * 1000)}});
    player_.set_rate(rate);
}

void Controls::set_loop(Micros a, Micros b, Micros now) {
    note(type::loop_set, now, {{"a_ms", ms(a)}, {"b_ms", ms(b)}});
    player_.set_loop(a, b);
}

void Controls::clear_loop(Micros now) {
    note(type::loop_set, now, {{"cleared", true}});
    player_.clear_loop();
}

}  // namespace courtplay::kiosk
