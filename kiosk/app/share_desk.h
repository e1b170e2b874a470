// The kiosk's side of one share session, behind the screens: redeem the code, keep the share
// watched, copy what the grant lets the kiosk keep into the encrypted cache, prove a clip is the
// original before it is opened, and at the end leave nothing the policy does not allow. Slow steps
// (the network, the cache) run on the desk's own worker thread; the screens read view() and call
// the intents below from the main thread. Every step is in the audit journal before it counts.
#pragma once

#include "auth/share_service.h"
#include "auth/share_watch.h"
#include "cache/evidence_cache.h"
#include "config/kiosk_config.h"
#include "kiosk/audit_trail.h"
#include "kiosk/evidence_badge.h"
#include "kiosk/forgetful_memory.h"
#include "player/source.h"
#include "watermark/watermark.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace courtplay::kiosk::app {

enum class DeskStage {
    no_share,       // waiting for a code
    redeeming,      // asking the share service
    refused,        // the code or its grant was refused: message says why
    unreachable,    // the service could not be asked (and nothing is cached for this code)
    audit_blocked,  // the audit journal cannot take events: nothing is played (fail closed)
    open,           // a share is open: share is set
    ending,         // the session is being closed
};

enum class ClipStatus { streamed, caching, cached, checking, verified, not_original, unavailable };

struct ClipView {
    auth::GrantClip clip;
    ClipStatus status = ClipStatus::streamed;
    int percent = 0;  // caching or checking
};

struct ShareView {
    auth::Party party = auth::Party::cps;
    std::string share_id, case_ref, label;
    int64_t expires_at = 0;
    bool offline = false;                // the kept grant from the cache: the service was not reached
    std::vector<ClipView> clips;
    std::optional<std::string> ended;    // revoked or expired while open: why, in words

    ShareView() = default;
    ShareView(const ShareView&) = default;
    ShareView(ShareView&&) = default;
    ShareView& operator=(const ShareView&) = default;
    ShareView& operator=(ShareView&&) = default;
    // A share id and a case reference are short enough to live inside the strings themselves, so
    // they stay where the view was (the UI's model, an optional reset in place) unless wiped.
    ~ShareView() {
        forget(share_id);
        forget(case_ref);
        forget(label);
    }
};

struct DeskView {
    DeskStage stage = DeskStage::no_share;
    std::string message;                 // why refused / unreachable / blocked, in words
    std::optional<ShareView> share;
    std::optional<size_t> preparing;     // the clip being made ready to play
    std::optional<size_t> ready;         // a clip ready to play: take_source()
    std::string clip_problem;            // why the last clip asked for could not be made ready
    uint64_t version = 0;                // changes whenever anything above does
};

// What the player screen needs to play the ready clip.
struct ReadyClip {
    std::unique_ptr<player::Source> source;  // borrowed from the desk: valid until clip_closed()
    auth::GrantClip clip;
    audit::EventSubject subject;             // what its playback's events are about
    watermark::WatermarkOptions watermark;
    std::function<EvidenceBadge()> badge;    // safe to call from the main thread while it plays
};

class ShareDesk {
public:
    // `changed` is called (from any thread) after the view changes.
    ShareDesk(const config::KioskConfig& cfg, AuditTrail& trail, std::function<void()> changed);
    ~ShareDesk();
    ShareDesk(const ShareDesk&) = delete;
    ShareDesk& operator=(const ShareDesk&) = delete;

    DeskView view() const;

    // Intents (main thread).
    void redeem(const std::string& canonical_token);  // starts a session
    void prepare(size_t clip);                        // make a clip ready to play
    std::optional<ReadyClip> take_ready();            // once ready: the clip to play
    void clip_closed();                               // its player is gone
    void end_session();                               // closes the share; view returns to no_share
    void forget_refusal();                            // back from a refusal to no_share
    void purge_cache();                               // admin: every cached clip goes

    // For the admin screen.
    int64_t cache_used_bytes() const;
    int cached_clips() const;

private:
    struct Cancelled {};
    void post(std::function<void()> job);
    void work();
    void changed_locked();
    void check_cancel() const;
    void do_redeem(const std::string& token);
    void do_prefetch(size_t index);
    void do_prepare(size_t index);
    void do_end();
    void stream_closed(size_t index, const player::HttpsSource::Status& st);
    void set_clip(size_t index, ClipStatus status, int percent);
    cache::ClipRef ref_of(const auth::GrantClip& clip) const;

    const config::KioskConfig& cfg_;
    AuditTrail& trail_;
    const std::function<void()> changed_;
    auth::ShareService service_;

    // The worker's own: touched by jobs only (and by the destructor once the worker is gone).
    std::optional<cache::EvidenceCache> cache_;
    std::unique_ptr<auth::Redemption> share_;  // on the heap, which is wiped when it is freed
    std::string token_digest_;
    std::unique_ptr<auth::ShareWatch> watch_;

    mutable std::mutex lock_;  // guards everything below
    std::condition_variable work_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    bool cancel_ = false;  // the session ends: the running job stops at its next step
    DeskView view_;
    audit::EventSubject subject_;
    std::unique_ptr<player::Source> ready_source_;  // owned here; the player borrows it
    std::function<EvidenceBadge()> ready_badge_;
    size_t ready_index_ = 0;
    int64_t cache_used_ = 0;
    int cache_count_ = 0;

    std::thread worker_;  // last: starts once everything it reads exists
};

}  // namespace courtplay::kiosk::app
