#include "kiosk/app/share_desk.h"

#include "audit/event.h"
#include "auth/court_time.h"
#include "files/thread_name.h"
#include "kiosk/clip_cache.h"
#include "kiosk/exit_codes.h"
#include "kiosk/forgetful_memory.h"
#include "kiosk/link_monitor.h"
#include "kiosk/share_steps.h"
#include "player/https_source.h"

#include <cstdio>

namespace courtplay::kiosk::app {
namespace type = audit::event_type;

ShareDesk::ShareDesk(const config::KioskConfig& cfg, AuditTrail& trail, std::function<void()> changed)
    : cfg_(cfg), trail_(trail), changed_(std::move(changed)), service_(cfg), worker_([this] {
          files::name_this_thread("share-desk");
          work();
      }) {
    post([this] {
        cache_ = open_cache(cfg_, trail_);
        std::lock_guard lock(lock_);
        if (cache_) {
            cache_used_ = cache_->used_bytes();
            cache_count_ = static_cast<int>(cache_->list().size());
        }
    });
}

ShareDesk::~ShareDesk() {
    {
        std::lock_guard lock(lock_);
        if (view_.share) {
            cancel_ = true;
            jobs_.clear();
            jobs_.push_back([this] { do_end(); });
        }
        stopping_ = true;
    }
    work_.notify_one();
    worker_.join();
}

DeskView ShareDesk::view() const {
    std::lock_guard lock(lock_);
    return view_;
}

void ShareDesk::post(std::function<void()> job) {
    {
        std::lock_guard lock(lock_);
        jobs_.push_back(std::move(job));
    }
    work_.notify_one();
}

void ShareDesk::changed_locked() {
    ++view_.version;
    if (changed_) changed_();
}

void ShareDesk::check_cancel() const {
    std::lock_guard lock(lock_);
    if (cancel_) throw Cancelled{};
}

void ShareDesk::work() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(lock_);
            work_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        try {
            job();
        } catch (const Cancelled&) {
        } catch (const audit::JournalError& e) {
            // Fail closed: nothing more happens to evidence until the journal can be written.
            std::fprintf(stderr, "courtplay: %s. Nothing is played until the audit journal can be written.\n", e.what());
            std::lock_guard lock(lock_);
            view_.stage = DeskStage::audit_blocked;
            view_.message = e.what();
            view_.preparing.reset();
            changed_locked();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "courtplay: %s\n", e.what());
            std::lock_guard lock(lock_);
            view_.preparing.reset();
            view_.clip_problem = e.what();
            changed_locked();
        }
        // A job's frames (a grant's fields, a progress line with a clip's title) stay below this
        // one until a deeper call overwrites them.
        wipe_stack_below();
    }
}

void ShareDesk::redeem(const std::string& token) {
    {
        std::lock_guard lock(lock_);
        if (view_.stage != DeskStage::no_share) return;
        view_ = DeskView{DeskStage::redeeming, {}, {}, {}, {}, {}, view_.version};
        changed_locked();
    }
    post([this, token] { do_redeem(token); });
}

void ShareDesk::do_redeem(const std::string& token) {
    auto fail = [this](DeskStage stage, std::string message) {
        std::lock_guard lock(lock_);
        view_.stage = stage;
        view_.message = std::move(message);
        changed_locked();
    };
    if (auto why = trail_.backlog_refusal()) return fail(DeskStage::audit_blocked, *why);
    audit::EventSubject about;
    about.session_id = new_session_id();
    trail_.subject.session_id = about.session_id;  // the trail's own records (purges) belong to it
    trail_.record_about(about, type::session_started, std::nullopt, {{"cache_only", false}});
    bool offline = false;
    auth::RedeemOutcome out;
    try {
        out = redeem_or_use_kept_grant(service_, cache_, token, offline);
    } catch (const auth::NetworkError& e) {
        trail_.record_about(about, type::playback_error, std::nullopt, {{"reason", e.what()}});
        trail_.record_about(about, type::session_ended, std::nullopt, {{"exit_code", exit_code::network}});
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return fail(DeskStage::unreachable, e.what());
    }
    token_digest_ = token_digest(token);
    if (out.refusal) {
        trail_.record_about(about, type::token_refused, std::nullopt,
                            {{"reason", out.refusal->code}, {"offline", offline}});
        if (cache_ && (out.refusal->code == "revoked" || out.refusal->code == "expired"))
            cache_->purge_token(token_digest_, out.refusal->code == "revoked" ? cache::PurgeReason::revoked
                                                                               : cache::PurgeReason::expired);
        trail_.record_about(about, type::session_ended, std::nullopt, {{"exit_code", exit_code::refused}});
        std::fprintf(stderr, "courtplay: share refused: %s\n", out.refusal->message.c_str());
        return fail(DeskStage::refused, out.refusal->message);
    }
    share_ = std::make_unique<auth::Redemption>(std::move(*out.redemption));
    const auth::Grant& g = share_->grant;
    about.share_id = g.share_id;
    about.party = auth::party_name(g.party);
    trail_.record_about(about, type::token_redeemed, std::nullopt, {{"case", g.case_ref}, {"offline", offline}});
    trail_.record_about(about, type::grant_verified, std::nullopt,
                        {{"grant_id", g.grant_id}, {"issuer", g.issuer}, {"expires_at", g.expires_at}});

    ShareView share;
    share.party = g.party;
    share.share_id = g.share_id;
    share.case_ref = g.case_ref;
    share.label = g.watermark;
    share.expires_at = g.expires_at;
    share.offline = offline;
    std::vector<size_t> to_fetch;
    for (const auth::GrantClip& c : g.clips) {
        ClipView v{c, ClipStatus::streamed, 0};
        if (cache_ && cache_->state(ref_of(c)) == cache::EvidenceCache::State::complete) v.status = ClipStatus::cached;
        else if (cache_ && c.perms.cache && !offline) {
            v.status = ClipStatus::caching;
            to_fetch.push_back(share.clips.size());
        } else if (offline) v.status = ClipStatus::unavailable;
        share.clips.push_back(std::move(v));
    }
    watch_ = std::make_unique<auth::ShareWatch>(service_, *share_, std::chrono::seconds(cfg_.service.status_poll_s),
                                                [this](const auth::Refusal& why) {
                                                    std::lock_guard lock(lock_);
                                                    if (view_.share) view_.share->ended = why.message;
                                                    changed_locked();
                                                });
    {
        std::lock_guard lock(lock_);
        subject_ = about;
        view_.stage = DeskStage::open;
        view_.share = std::move(share);
        changed_locked();
    }
    for (size_t i : to_fetch) post([this, i] { do_prefetch(i); });
}

cache::ClipRef ShareDesk::ref_of(const auth::GrantClip& clip) const { return clip_ref(*share_, clip, token_digest_); }

void ShareDesk::set_clip(size_t index, ClipStatus status, int percent) {
    std::lock_guard lock(lock_);
    if (!view_.share || index >= view_.share->clips.size()) return;
    ClipView& v = view_.share->clips[index];
    if (v.status == status && v.percent == percent) return;
    v.status = status;
    v.percent = percent;
    changed_locked();
}

void ShareDesk::do_prefetch(size_t index) {
    check_cancel();
    const auth::GrantClip& clip = share_->grant.clips[index];
    if (cache_->state(ref_of(clip)) == cache::EvidenceCache::State::complete) return set_clip(index, ClipStatus::cached, 100);
    Progress progress = [&](int64_t done, int64_t total) {
        check_cancel();
        set_clip(index, ClipStatus::caching, static_cast<int>(done * 100 / std::max<int64_t>(1, total)));
    };
    const int code = cache_clip(*cache_, ref_of(clip), stream_options(cfg_, *share_, clip), cfg_.service.timeout_s, progress);
    if (code == exit_code::ok) {
        audit::EventSubject about = subject_;
        about.clip_id = clip.id;
        about.sha256 = clip.sha256;
        trail_.record_about(about, type::cache_stored, std::nullopt, {{"bytes", clip.bytes}});
        {
            std::lock_guard lock(lock_);
            cache_used_ = cache_->used_bytes();
            cache_count_ = static_cast<int>(cache_->list().size());
        }
        return set_clip(index, ClipStatus::cached, 100);
    }
    if (code == exit_code::bad_media) return set_clip(index, ClipStatus::not_original, 0);
    // The cache cannot take it: the clip is streamed when opened. Unreachable: tried again then.
    set_clip(index, code == exit_code::cache_storage ? ClipStatus::streamed : ClipStatus::unavailable, 0);
}

void ShareDesk::prepare(size_t index) {
    {
        std::lock_guard lock(lock_);
        if (view_.stage != DeskStage::open || !view_.share || index >= view_.share->clips.size() || view_.preparing ||
            view_.ready)
            return;
        view_.preparing = index;
        view_.clip_problem.clear();
        changed_locked();
        // Ahead of any prefetch still queued: someone is waiting for this one.
        jobs_.push_front([this, index] { do_prepare(index); });
    }
    work_.notify_one();
}

void ShareDesk::do_prepare(size_t index) {
    const auth::GrantClip& clip = share_->grant.clips[index];
    auto problem = [&](ClipStatus status, std::string why) {
        std::lock_guard lock(lock_);
        if (view_.share) view_.share->clips[index].status = status;
        view_.preparing.reset();
        view_.clip_problem = std::move(why);
        changed_locked();
    };
    if (auto refused = auth::check_clip(share_->grant, clip.id, true, false, false))
        return problem(ClipStatus::unavailable, refused->message);
    if (auto ended = auth::check_grant_now(share_->grant, service_.check_at(auth::unix_now())))
        return problem(ClipStatus::unavailable, ended->message);

    const cache::ClipRef ref = ref_of(clip);
    if (cache_ && clip.perms.cache && cache_->state(ref) != cache::EvidenceCache::State::complete) {
        Progress progress = [&](int64_t done, int64_t total) {
            check_cancel();
            set_clip(index, ClipStatus::caching, static_cast<int>(done * 100 / std::max<int64_t>(1, total)));
        };
        const int code = cache_clip(*cache_, ref, stream_options(cfg_, *share_, clip), cfg_.service.timeout_s, progress);
        if (code == exit_code::bad_media)
            return problem(ClipStatus::not_original, "The copy fetched is not the original evidence (SHA-256 differs).");
        if (code == exit_code::ok) set_clip(index, ClipStatus::cached, 100);
        else if (code != exit_code::cache_storage)
            return problem(ClipStatus::unavailable, "The clip could not be fetched from the share service.");
    }
    std::unique_ptr<player::Source> source;
    std::function<EvidenceBadge()> badge;
    if (std::unique_ptr<cache::CachedSource> cached = cache_ ? cache_->open(ref) : nullptr) {
        cache::CachedSource* c = cached.get();
        badge = [c] { return badge_of(c->status()); };
        source = std::move(cached);
    } else if (share_->access_token.empty()) {
        return problem(ClipStatus::unavailable, "The share service cannot be reached and this clip is not on the kiosk.");
    } else {
        auto stream = std::make_unique<player::HttpsSource>(stream_options(cfg_, *share_, clip));
        LinkMonitor monitor(*stream, std::chrono::seconds(2 * cfg_.service.timeout_s));
        Progress progress = [&](int64_t done, int64_t total) {
            check_cancel();
            set_clip(index, ClipStatus::checking, static_cast<int>(done * 100 / std::max<int64_t>(1, total)));
        };
        const int code = prove_original(*stream, monitor, clip.title, progress);
        if (code == exit_code::bad_media)
            return problem(ClipStatus::not_original, "The clip streamed is not the original evidence (SHA-256 differs).");
        if (code != exit_code::ok) return problem(ClipStatus::unavailable, "The clip could not be streamed from the share service.");
        monitor.playing();
        set_clip(index, ClipStatus::verified, 100);
        player::HttpsSource* s = stream.get();
        badge = [s] { return badge_of(s->status()); };
        source = std::move(stream);
    }
    std::lock_guard lock(lock_);
    ready_source_ = std::move(source);
    ready_badge_ = std::move(badge);
    ready_index_ = index;
    view_.preparing.reset();
    view_.ready = index;
    changed_locked();
}

std::optional<ReadyClip> ShareDesk::take_ready() {
    std::lock_guard lock(lock_);
    if (!view_.ready || !ready_source_) return std::nullopt;
    const auth::GrantClip& clip = share_->grant.clips[ready_index_];
    ReadyClip r;
    r.source = player::borrow_source(*ready_source_);
    r.clip = clip;
    r.subject = subject_;
    r.subject.clip_id = clip.id;
    r.subject.sha256 = clip.sha256;
    r.watermark = watermark_for(cfg_, share_->grant, subject_.session_id);
    r.badge = ready_badge_;
    return r;
}

void ShareDesk::clip_closed() {
    std::unique_ptr<player::Source> source;
    size_t index = 0;
    {
        std::lock_guard lock(lock_);
        source = std::move(ready_source_);
        ready_badge_ = nullptr;
        index = ready_index_;
        view_.ready.reset();
        changed_locked();
    }
    if (auto* stream = dynamic_cast<player::HttpsSource*>(source.get())) return stream_closed(index, stream->status());
    auto* cached = dynamic_cast<cache::CachedSource*>(source.get());
    if (!cached) return;
    const cache::CachedSource::Status st = cached->status();
    post([this, index, st, s = std::shared_ptr<player::Source>(std::move(source))] {
        const auth::GrantClip& clip = share_->grant.clips[index];
        audit::EventSubject about = subject_;
        about.clip_id = clip.id;
        about.sha256 = clip.sha256;
        if (st.damaged) {
            std::fprintf(stderr, "courtplay: clip \"%s\": the cached copy is damaged; it is removed\n", clip.title.c_str());
            cache_->purge_clip(ref_of(clip), cache::PurgeReason::damaged);
            set_clip(index, ClipStatus::unavailable, 0);
        } else if (st.all_checked) {
            trail_.record_about(about, type::cache_verified, std::nullopt);
        }
    });
}

// A streamed clip that the service altered after it was proven: on record as a failed proof is
// in a `courtplay session`, and it is not offered again.
void ShareDesk::stream_closed(size_t index, const player::HttpsSource::Status& st) {
    if (st.altered_chunk < 0) return;
    post([this, index, st] {
        const auth::GrantClip& clip = share_->grant.clips[index];
        audit::EventSubject about = subject_;
        about.clip_id = clip.id;
        about.sha256 = clip.sha256;
        report_stream_failure(st, clip.title);
        trail_.record_about(about, type::playback_error, std::nullopt,
                            {{"exit_code", exit_code::bad_media},
                             {"reason", "altered_after_proof"},
                             {"altered_part", st.altered_chunk + 1}});
        set_clip(index, ClipStatus::not_original, 0);
    });
}

void ShareDesk::end_session() {
    {
        std::lock_guard lock(lock_);
        if (!view_.share && view_.stage != DeskStage::open) return;
        cancel_ = true;
        jobs_.clear();
        jobs_.push_back([this] { do_end(); });
        view_.stage = DeskStage::ending;
        changed_locked();
    }
    work_.notify_one();
}

void ShareDesk::do_end() {
    std::optional<auth::Refusal> ended = watch_ ? watch_->ended() : std::nullopt;
    watch_.reset();
    service_.end_session();
    if (cache_ && share_) settle_cache_after_session(*cache_, cfg_, share_->grant.share_id, ended);
    audit::EventSubject about;
    {
        std::lock_guard lock(lock_);
        about = subject_;
        ready_source_.reset();
        ready_badge_ = nullptr;
    }
    trail_.record_about(about, type::session_ended, std::nullopt, {{"exit_code", ended ? exit_code::refused : exit_code::ok}});
    share_.reset();
    forget(token_digest_);
    forget(trail_.subject);
    std::lock_guard lock(lock_);
    if (cache_) {
        cache_used_ = cache_->used_bytes();
        cache_count_ = static_cast<int>(cache_->list().size());
    }
    forget(subject_);
    cancel_ = false;
    view_ = DeskView{DeskStage::no_share, {}, {}, {}, {}, {}, view_.version};
    changed_locked();
}

void ShareDesk::forget_refusal() {
    std::lock_guard lock(lock_);
    if (view_.stage != DeskStage::refused && view_.stage != DeskStage::unreachable &&
        view_.stage != DeskStage::audit_blocked)
        return;
    view_ = DeskView{DeskStage::no_share, {}, {}, {}, {}, {}, view_.version};
    changed_locked();
}

void ShareDesk::purge_cache() {
    post([this] {
        if (!cache_) return;
        cache_->purge_all(cache::PurgeReason::requested);
        std::lock_guard lock(lock_);
        cache_used_ = cache_->used_bytes();
        cache_count_ = static_cast<int>(cache_->list().size());
        changed_locked();
    });
}

int64_t ShareDesk::cache_used_bytes() const {
    std::lock_guard lock(lock_);
    return cache_used_;
}

int ShareDesk::cached_clips() const {
    std::lock_guard lock(lock_);
    return cache_count_;
}

}  // namespace courtplay::kiosk::app
