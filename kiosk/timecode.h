// How times are written for people: media time as H:MM:SS.mmm, recording time in UTC.
#pragma once

#include "player/av_ptr.h"

#include <optional>
#include <string>

namespace courtplay::kiosk {

std::string format_media_time(player::Micros t);
std::string format_rate(double rate);
// Parses an ISO 8601 UTC time as containers write creation_time ("2026-03-01T09:30:00.000000Z").
std::optional<player::Micros> parse_utc(const std::string& iso);
// The wall-clock time at which the frame at `media` was recorded, "2026-03-01 09:31:05.200 UTC".
std::optional<std::string> recording_time(const std::string& creation_time, player::Micros media);

}  // namespace courtplay::kiosk
