#include "server/shares.h"

#include "auth/court_time.h"
#include "server/util.h"

#include <charconv>
#include <cmath>
#include <set>

namespace courtplay::server {
namespace {

std::optional<int64_t> parse_seconds_to_ms(std::string_view text) {
    if (text.empty()) return std::nullopt;
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0 ||
        value > 1e9) {
        return std::nullopt;
    }
    return std::llround(value * 1000.0);
}

std::string seconds_text(int64_t ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(ms) / 1000.0);
    return buf;
}

std::string segment_text(const auth::Segment& s) { return seconds_text(s.in_ms) + " to " + seconds_text(s.out_ms); }

void check_case_and_kiosk(const ShareRequest& r) {
    if (r.case_ref.empty()) throw ShareError("the case reference (--case) is empty: give the case URN");
    if (r.kiosk && r.kiosk->empty()) throw ShareError("--kiosk is empty: give the kiosk id, or leave --kiosk out");
}

void check_expiry(int64_t expires_at, int64_t now) {
    if (expires_at <= now) {
        throw ShareError("the expiry " + auth::iso8601_utc(expires_at) +
                         " is not in the future: give a later time or a duration such as 8h or 7d");
    }
}

void check_perms(const auth::Perms& p) {
    if (!p.view && !p.cache && !p.cast) throw ShareError("--perms grants nothing: give at least one of view, cache, cast");
}

// Segments keyed by clip; each must name a clip of the share, once, and lie within the clip.
std::map<std::string, auth::Segment> index_segments(const ShareRequest& r,
                                                    const std::map<std::string, ClipRecord>& clips) {
    std::map<std::string, auth::Segment> out;
    for (const auto& [clip_id, segment] : r.segments) {
        const auto clip = clips.find(clip_id);
        if (clip == clips.end()) {
            throw ShareError("--segment names clip " + clip_id + ", which is not in --clips: add it to --clips or " +
                             "fix the id");
        }
        if (!out.emplace(clip_id, segment).second) {
            throw ShareError("--segment is given twice for clip " + clip_id + ": a share has one segment per clip");
        }
        if (segment.in_ms >= segment.out_ms) {
            throw ShareError("the segment of clip " + clip_id + " (" + segment_text(segment) +
                             ") ends before it starts: give IN-OUT with IN < OUT");
        }
        if (segment.out_ms > clip->second.duration_ms) {
            throw ShareError("the segment of clip " + clip_id + " (" + segment_text(segment) +
                             ") goes past the end of the clip, which is " + seconds_text(clip->second.duration_ms) +
                             " long");
        }
    }
    return out;
}

std::map<std::string, ClipRecord> look_up_clips(const std::vector<std::string>& ids, const ClipLookup& lookup) {
    if (ids.empty()) throw ShareError("--clips is empty: give at least one clip id (see `courtplay-server clip list`)");
    std::map<std::string, ClipRecord> out;
    for (const std::string& id : ids) {
        auto clip = lookup(id);
        if (!clip) {
            throw ShareError("there is no clip " + id + ": see `courtplay-server clip list` for the clip ids");
        }
        out.emplace(id, std::move(*clip));
    }
    return out;
}

}  // namespace

std::pair<std::string, auth::Segment> parse_segment_arg(std::string_view text) {
    const size_t colon = text.rfind(':');
    const size_t dash = colon == std::string_view::npos ? std::string_view::npos : text.find('-', colon);
    const auto wrong = [&] {
        return ShareError("--segment `" + std::string(text) +
                          "` is not CLIP_ID:IN-OUT with IN and OUT in seconds (for example cl_abc:12.5-40)");
    };
    if (colon == std::string_view::npos || colon == 0 || dash == std::string_view::npos) throw wrong();
    const auto in = parse_seconds_to_ms(text.substr(colon + 1, dash - colon - 1));
    const auto out = parse_seconds_to_ms(text.substr(dash + 1));
    if (!in || !out) throw wrong();
    return {std::string(text.substr(0, colon)), auth::Segment{*in, *out}};
}

int64_t parse_expiry_arg(std::string_view text, int64_t now) {
    if (auto at = auth::parse_iso8601(text)) return *at;
    if (auto d = auth::parse_duration(text)) return now + *d;
    throw ShareError("--expires `" + std::string(text) +
                     "` is neither a time (2026-12-03T17:00:00Z) nor a duration (8h, 7d, P7D)");
}

std::vector<std::string> parse_clip_list(std::string_view csv) {
    std::vector<std::string> ids;
    std::set<std::string> seen;
    for (std::string id : split(csv, ',')) {
        while (!id.empty() && id.front() == ' ') id.erase(id.begin());
        while (!id.empty() && id.back() == ' ') id.pop_back();
        if (id.empty()) throw ShareError("--clips `" + std::string(csv) + "` has an empty id: give ID,ID,...");
        if (!seen.insert(id).second) throw ShareError("--clips names clip " + id + " twice");
        ids.push_back(id);
    }
    return ids;
}

ShareRecord plan_share(const ShareRequest& r, const ClipLookup& lookup, int64_t now, const std::string& id,
                       const std::string& token_sha256) {
    check_case_and_kiosk(r);
    check_perms(r.perms);
    check_expiry(r.expires_at, now);
    const auto clips = look_up_clips(r.clip_ids, lookup);
    const auto segments = index_segments(r, clips);

    ShareRecord s;
    s.id = id;
    s.token_sha256 = token_sha256;
    s.party = r.party;
    s.case_ref = r.case_ref;
    s.kiosk = r.kiosk;
    s.reshare = r.reshare;
    s.created_at = now;
    s.expires_at = r.expires_at;
    for (const std::string& clip_id : r.clip_ids) {
        ShareClip c{clip_id, r.perms, std::nullopt};
        if (auto seg = segments.find(clip_id); seg != segments.end()) c.segment = seg->second;
        s.clips.push_back(std::move(c));
    }
    return s;
}

ShareRecord plan_onward(const ShareRecord& source, const ShareRequest& r, const ClipLookup& lookup, int64_t now,
                        const std::string& id, const std::string& token_sha256) {
    if (source.parent_id) {
        throw ShareError("share " + source.id + " is itself an onward share; onward shares cannot be shared again");
    }
    if (!source.reshare) {
        throw ShareError("share " + source.id +
                         " does not allow onward sharing: it was made without --reshare. Make a new share with "
                         "`share create ... --reshare` if the CPS should pass it on");
    }
    switch (share_state(source, now)) {
    case ShareState::revoked:
        throw ShareError("share " + source.id + " was revoked on " + auth::uk_date_time(*source.revoked_at) +
                         ": it cannot be shared onward");
    case ShareState::expired:
        throw ShareError("share " + source.id + " expired on " + auth::uk_date_time(source.expires_at) +
                         ": it cannot be shared onward");
    case ShareState::active: break;
    }
    if (r.party == source.party) {
        throw ShareError(std::string("an onward share goes to another party, but share ") + source.id +
                         " is already the " + auth::party_banner(source.party) + "'s");
    }
    if (r.kiosk && r.kiosk->empty()) throw ShareError("--kiosk is empty: give the kiosk id, or leave --kiosk out");
    if (source.kiosk && r.kiosk && *r.kiosk != *source.kiosk) {
        throw ShareError("share " + source.id + " is for kiosk " + *source.kiosk +
                         " only, so its onward shares are too: leave --kiosk out or give " + *source.kiosk);
    }
    check_perms(r.perms);
    check_expiry(r.expires_at, now);
    if (r.expires_at > source.expires_at) {
        throw ShareError("the expiry " + auth::iso8601_utc(r.expires_at) + " is later than share " + source.id +
                         "'s own (" + auth::iso8601_utc(source.expires_at) +
                         "): an onward share cannot outlive its source");
    }
    if (r.clip_ids.empty()) throw ShareError("--clips is empty: give at least one clip id of share " + source.id);
    for (const std::string& clip_id : r.clip_ids) {
        const ShareClip* from = source.find_clip(clip_id);
        if (!from) {
            throw ShareError("clip " + clip_id + " is not in share " + source.id +
                             ": an onward share can only pass on clips of its source");
        }
        if (!from->perms.covers(r.perms)) {
            throw ShareError("--perms " + auth::perms_csv(r.perms) + " is wider than share " + source.id +
                             " allows for clip " + clip_id + " (" + auth::perms_csv(from->perms) +
                             "): an onward share can only narrow");
        }
    }
    const auto clips = look_up_clips(r.clip_ids, lookup);
    const auto segments = index_segments(r, clips);

    ShareRecord s;
    s.id = id;
    s.token_sha256 = token_sha256;
    s.party = r.party;
    s.case_ref = source.case_ref;
    s.kiosk = r.kiosk ? r.kiosk : source.kiosk;
    s.reshare = false;
    s.created_at = now;
    s.expires_at = r.expires_at;
    s.parent_id = source.id;
    for (const std::string& clip_id : r.clip_ids) {
        const ShareClip* from = source.find_clip(clip_id);
        ShareClip c{clip_id, r.perms, from->segment};
        if (auto seg = segments.find(clip_id); seg != segments.end()) {
            if (from->segment && (seg->second.in_ms < from->segment->in_ms || seg->second.out_ms > from->segment->out_ms)) {
                throw ShareError("the segment of clip " + clip_id + " (" + segment_text(seg->second) +
                                 ") is outside share " + source.id + "'s segment (" + segment_text(*from->segment) +
                                 "): an onward share can only narrow");
            }
            c.segment = seg->second;
        }
        s.clips.push_back(std::move(c));
    }
    return s;
}

}  // namespace courtplay::server
