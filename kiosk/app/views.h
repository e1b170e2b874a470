// One function a screen (view_*.cpp); draw_screen (views.cpp) picks the one the model says.
#pragma once

#include "kiosk/app/ui_model.h"

namespace courtplay::kiosk::app {

void draw_waiting(const UiModel& m, Intents& out);
void draw_code(const UiModel& m, Intents& out);
void draw_share(const UiModel& m, Intents& out);
void draw_confirm_end(const UiModel& m, Intents& out);
void draw_player(const UiModel& m, Intents& out);
void draw_cast(const UiModel& m, Intents& out);
void draw_admin_pin(const UiModel& m, Intents& out);
void draw_admin(const UiModel& m, Intents& out);
void draw_idle_warning(const UiModel& m, Intents& out);

}  // namespace courtplay::kiosk::app
