// What the kiosk records: one Event per action, in the court's words. The journal adds the id,
// the sequence number, the kiosk id and the times when it appends (docs/audit.md lists them all).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace courtplay::audit {

namespace event_type {
inline constexpr const char* token_redeemed = "token.redeemed";
inline constexpr const char* token_refused = "token.refused";
inline constexpr const char* grant_verified = "grant.verified";
inline constexpr const char* clip_opened = "clip.opened";
inline constexpr const char* play = "play";
inline constexpr const char* pause = "pause";
inline constexpr const char* seek = "seek";
inline constexpr const char* frame_step = "frame.step";
inline constexpr const char* rate_changed = "rate.changed";
inline constexpr const char* loop_set = "loop.set";
inline constexpr const char* segment_boundary = "segment.boundary";
inline constexpr const char* clip_ended = "clip.ended";
inline constexpr const char* clip_closed = "clip.closed";
inline constexpr const char* cache_stored = "cache.stored";
inline constexpr const char* cache_verified = "cache.verified";
inline constexpr const char* cache_purged = "cache.purged";
inline constexpr const char* output_started = "output.started";
inline constexpr const char* output_stopped = "output.stopped";
inline constexpr const char* output_blanked = "output.blanked";
inline constexpr const char* session_started = "session.started";
inline constexpr const char* session_ended = "session.ended";
inline constexpr const char* session_timed_out = "session.timed_out";
inline constexpr const char* admin_signed_in = "admin.signed_in";
inline constexpr const char* admin_refused = "admin.refused";
inline constexpr const char* admin_exited = "admin.exited";
inline constexpr const char* playback_error = "playback.error";
inline constexpr const char* journal_recovered = "journal.recovered";
}  // namespace event_type

// Who and what an event is about; empty members are left out of the record.
struct EventSubject {
    std::string session_id, share_id, party, clip_id, sha256;
};

struct Event {
    std::string type;  // one of event_type
    EventSubject subject;
    std::optional<int64_t> position_ms;  // the media position, where there is one
    nlohmann::json details = nlohmann::json::object();  // whole numbers only (see audit/chain.h)
};

}  // namespace courtplay::audit
