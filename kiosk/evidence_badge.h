// What the screen says, always, about the clip on it: where its bytes come from and whether they
// are proven to be the original evidence. The session works it out from its source; the screen
// only shows it (top right, in the badge's colour).
#pragma once

#include <string>

namespace courtplay::kiosk {

struct EvidenceBadge {
    enum class Tone { verified, checking, warning, failed };
    Tone tone = Tone::checking;
    std::string text;  // empty: no badge (a local file played by `courtplay play`)
    bool operator==(const EvidenceBadge&) const = default;
};

}  // namespace courtplay::kiosk
