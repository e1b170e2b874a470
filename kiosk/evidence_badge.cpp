#include "kiosk/evidence_badge.h"

namespace courtplay::kiosk {
using player::HttpsSource;
using Tone = EvidenceBadge::Tone;

EvidenceBadge badge_of(const HttpsSource::Status& st) {
    if (st.link == HttpsSource::Link::failed || st.verification == HttpsSource::Verification::failed)
        return {Tone::failed, "STOPPED  " + st.reason};
    if (st.link == HttpsSource::Link::reconnecting)
        return {Tone::warning, "RECONNECTING to the share service: playback resumes on its own"};
    switch (st.verification) {
        case HttpsSource::Verification::verified: return {Tone::verified, "VERIFIED  SHA-256 matches the grant  (streamed)"};
        case HttpsSource::Verification::pending: return {Tone::checking, "CHECKING  not yet proven the original  (streamed)"};
        case HttpsSource::Verification::unverified:
            return {Tone::warning, "NOT VERIFIED  no SHA-256 to check it against  (streamed)"};
        case HttpsSource::Verification::failed: break;
    }
    return {Tone::failed, "STOPPED  " + st.reason};
}

EvidenceBadge badge_of(const cache::CachedSource::Status& st) {
    if (st.damaged) return {Tone::failed, "DAMAGED  the cached copy failed its check: playback stopped"};
    return {Tone::verified, "VERIFIED  SHA-256 matches the grant  (from the kiosk's encrypted cache)"};
}

}  // namespace courtplay::kiosk
