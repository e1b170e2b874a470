// The player's failures, each carrying words a person can act on.
#pragma once

#include <stdexcept>
#include <string>

namespace courtplay::player {

// The clip cannot be opened or holds nothing that can be played (exit code 3 for `play`).
class OpenError : public std::runtime_error {
public:
    OpenError(const std::string& clip, const std::string& reason)
        : std::runtime_error(clip + ": " + reason), clip_(clip), reason_(reason) {}
    const std::string& clip() const { return clip_; }
    const std::string& reason() const { return reason_; }

private:
    std::string clip_;
    std::string reason_;
};

}  // namespace courtplay::player
