// --stats FILE: the playback's figures as JSON, written at exit.
#pragma once

#include "player/player.h"

#include <nlohmann/json.hpp>

#include <string>

namespace courtplay::kiosk {

// Returns false (with errno set) when the file cannot be written.
// `extra` (an object) is merged in: the figures of outputs such as a cast.
bool write_stats(const std::string& path, const player::PlaybackStats& stats, player::Micros process_start,
                 player::Micros ended_at, const nlohmann::json& extra = nlohmann::json::object());

}  // namespace courtplay::kiosk
