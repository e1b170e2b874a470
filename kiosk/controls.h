// Every control a clerk (keyboard) or a script uses goes through here: the audit record first,
// durable, then the player acts. When the record cannot be written, Controls throws
// audit::JournalError and the player is left as it was: evidence is never handled unrecorded.
#pragma once

#include "player/player.h"

#include <nlohmann/json.hpp>

namespace courtplay::kiosk {

// Where playback's events go (kiosk/audit_trail.h in a session; nowhere for `courtplay play` of
// a local file, which is not shared evidence). record() returns once the event is durable.
class PlaybackJournal {
public:
    virtual ~PlaybackJournal() = default;
    virtual void record(const char* type, player::Micros position, nlohmann::json details = nlohmann::json::object()) = 0;
};

class Controls {
public:
    Controls(player::Player& player, PlaybackJournal* journal) : player_(player), journal_(journal) {}

    void play(player::Micros now);
    void pause(player::Micros now);
    void seek(player::Micros to, player::Micros now);
    void jump(player::Micros delta, player::Micros now);
    void step(player::Micros now);
    void back(player::Micros now);
    void set_rate(double rate, player::Micros now);
    void set_loop(player::Micros a, player::Micros b, player::Micros now);
    void clear_loop(player::Micros now);
    // Sound level is not an act on the evidence: not recorded.
    void set_volume(float volume) { player_.set_volume(volume); }
    void set_muted(bool muted) { player_.set_muted(muted); }

    const player::Player& player() const { return player_; }

private:
    void note(const char* type, player::Micros now, nlohmann::json details = nlohmann::json::object());

    player::Player& player_;
    PlaybackJournal* journal_;  // may be null
};

}  // namespace courtplay::kiosk
