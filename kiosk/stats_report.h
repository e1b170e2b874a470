// --stats FILE: the playback's figures as JSON, written at exit.
#pragma once

#include "player/player.h"

#include <string>

namespace courtplay::kiosk {

// Returns false (with errno set) when the file cannot be written.
bool write_stats(const std::string& path, const player::PlaybackStats& stats, player::Micros process_start,
                 player::Micros ended_at);

}  // namespace courtplay::kiosk
