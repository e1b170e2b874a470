// What the screen says, always, about the clip on it: where its bytes come from and whether they
// are proven to be the original evidence. The session works it out from its source; the screen
// only shows it (top right, in the badge's colour).
#pragma once

#include "cache/cached_source.h"
#include "player/https_source.h"

#include <functional>
#include <string>

namespace courtplay::kiosk {

struct EvidenceBadge {
    enum class Tone { verified, checking, warning, failed };
    Tone tone = Tone::checking;
    std::string text;  // empty: no badge (a local file played by `courtplay play`)
    bool operator==(const EvidenceBadge&) const = default;
};

// Asked by the playback loop every turn, from the main thread.
using BadgeSource = std::function<EvidenceBadge()>;

EvidenceBadge badge_of(const player::HttpsSource::Status& stream);
EvidenceBadge badge_of(const cache::CachedSource::Status& cached);

}  // namespace courtplay::kiosk
