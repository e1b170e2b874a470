// `--commands FILE`: a timed script of controls, one a line: `<seconds> <command> [arg]`, seconds of
// wall-clock time after the first frame is on screen. Lines starting with # and blank lines are
// ignored. See docs/play.md for the commands.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace courtplay::kiosk {

struct ScriptCommand {
    enum class Kind { Pause, Play, Seek, Step, Back, Rate, Volume, Mute, Unmute, Jump, Loop, LoopOff, Blank, Show, Quit };
    double at = 0;      // seconds after the first frame
    Kind kind = Kind::Quit;
    double a = 0, b = 0;
    int line = 0;
};

// A line that is not a valid command; the message names the line and what is wrong with it.
class ScriptError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parses a whole script (throws ScriptError). Commands keep file order among equal times.
std::vector<ScriptCommand> parse_script(const std::string& text);

}  // namespace courtplay::kiosk
