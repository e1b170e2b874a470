#include "kiosk/share_session.h"

#include "auth/share_service.h"
#include "auth/share_watch.h"
#include "cast/paired_receiver.h"
#include "audit/event.h"
#include "kiosk/audit_trail.h"
#include "kiosk/clip_cache.h"
#include "kiosk/exit_codes.h"
#include "kiosk/link_monitor.h"
#include "kiosk/share_steps.h"
#include "player/errors.h"
#include "player/https_source.h"

#include <cstdio>
#include <optional>

namespace courtplay::kiosk {
namespace {
using player::HttpsSource;

std::string segment_text(const auth::Segment& s) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f:%.3f", s.in_ms / 1000.0, s.out_ms / 1000.0);
    return buf;
}

// How a receiver's screen names this kiosk as a cast starts: "Reference Crown Court, Court 1 (kiosk-1)".
std::string kiosk_name(const config::KioskConfig& cfg) {
    std::string name = cfg.court;
    if (!cfg.room.empty()) name += (name.empty() ? "" : ", ") + cfg.room;
    return name.empty() ? cfg.kiosk_id : name + " (" + cfg.kiosk_id + ")";
}

// `--cast HOST:PORT`, checked before anything is asked of the network. Prints why not.
std::optional<cast::HostPort> parse_cast_address(const SessionOptions& o) {
    try {
        return cast::parse_host_port(o.cast, "--cast");
    } catch (const cast::CastError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return std::nullopt;
    }
}

int refused(const auth::Refusal& r) {
    std::fprintf(stderr, "courtplay: share refused: %s\n", r.message.c_str());
    return exit_code::refused;
}

// One session's share, clip and cache, and the playback of that clip.
class Session {
public:
    Session(const SessionOptions& options, const config::KioskConfig& cfg, auth::ShareService& service,
            const auth::Redemption& share, const auth::GrantClip& clip, std::optional<cache::EvidenceCache>& cache,
            AuditTrail& trail, const cast::PairedReceiver* courtroom_screen)
        : options_(options), cfg_(cfg), service_(service), share_(share), clip_(clip), cache_(cache),
          ref_(clip_ref(share, clip, token_digest(options.token))), trail_(trail), courtroom_screen_(courtroom_screen) {}

    int run() {
        const int code = play_from_best_source();
        end();
        return code;
    }

    // The chunk of a streamed clip found altered after it was proven (from 0), if one was.
    std::optional<int64_t> altered_chunk() const { return altered_chunk_; }

private:
    int play_from_best_source() {
        std::unique_ptr<cache::CachedSource> cached = cache_ ? cache_->open(ref_) : nullptr;
        if (!cached && cache_ && !options_.cache_only && clip_.perms.cache) {
            // Permitted to keep it: fetch it into the cache once, proven, then play it from there.
            const int fetched = cache_clip(*cache_, ref_, stream_options(cfg_, share_, clip_), cfg_.service.timeout_s);
            if (fetched == exit_code::ok) {
                trail_.record(audit::event_type::cache_stored, std::nullopt, {{"bytes", clip_.bytes}});
                cached = cache_->open(ref_);
            }
            else if (fetched != exit_code::cache_storage) return fetched;
            else std::fprintf(stderr, "courtplay: clip \"%s\" is streamed instead\n", clip_.title.c_str());
        }
        if (cached) return play_cached(*cached);
        if (options_.cache_only) {
            std::fprintf(stderr,
                         "courtplay: clip \"%s\" is not in this kiosk's cache, and --cache-only forbids fetching it "
                         "over the network. Cache it first with `courtplay cache prefetch`.\n",
                         clip_.title.c_str());
            return exit_code::network;
        }
        return play_streamed();
    }

    int play_cached(cache::CachedSource& source) {
        announce("from the kiosk's encrypted cache");
        int code = exit_code::ok;
        try {
            code = play(source, [&source] { return badge_of(source.status()); });
        } catch (const player::OpenError&) {
            if (!source.status().damaged) throw;  // the clip itself cannot be played: said by run_session
        }
        const cache::CachedSource::Status st = source.status();
        if (st.all_checked && !st.damaged) trail_.record(audit::event_type::cache_verified, std::nullopt);
        if (!st.damaged) return code;
        std::fprintf(stderr,
                     "courtplay: clip \"%s\": the cached copy is damaged (part %lld failed its check); playback "
                     "stopped and nothing damaged was shown. The copy is removed; play the clip again to fetch it "
                     "anew. Tell court IT.\n",
                     clip_.title.c_str(), static_cast<long long>(st.damaged_chunk));
        cache_->purge_clip(ref_, cache::PurgeReason::damaged);
        return exit_code::bad_media;
    }

    int play_streamed() {
        // Nothing of the clip touches the disk.
        HttpsSource stream(stream_options(cfg_, share_, clip_));
        LinkMonitor monitor(stream, std::chrono::seconds(2 * cfg_.service.timeout_s));
        if (int failed = prove_original(stream, monitor, clip_.title)) return failed;
        monitor.playing();
        announce("streamed from the share service");
        const int code = play(stream, [&stream] { return badge_of(stream.status()); });
        // Playback that ended because the stream failed says why, with the stream's exit code.
        const HttpsSource::Status st = stream.status();
        if (st.altered_chunk >= 0) altered_chunk_ = st.altered_chunk;
        if (code != exit_code::refused && st.link == HttpsSource::Link::failed)
            return report_stream_failure(st, clip_.title);
        return code;
    }

    void announce(const char* how) {
        const auth::Grant& g = share_.grant;
        std::fprintf(stderr, "courtplay: %s share %s, case %s: clip \"%s\" verified (SHA-256 %s), %s\n",
                     auth::party_banner(g.party), g.share_id.c_str(), g.case_ref.c_str(), clip_.title.c_str(),
                     clip_.sha256.c_str(), how);
    }

    int play(player::Source& source, const BadgeSource& badge) {
        PlayOptions play = options_.play;
        if (clip_.segment) play.segment = segment_text(*clip_.segment);
        play.input = clip_.title;
        play.watermark = watermark_for(cfg_, share_.grant, trail_.subject.session_id);
        if (const cast::PairedReceiver* r = courtroom_screen_) {
            const std::string at = r->address().host + ":" + std::to_string(r->address().port);
            play.paired_cast = PlayOptions::PairedCast{r->address(), r->key(), "courtroom screen " + r->name() + " at " + at,
                                                       r->certified_as(), [r] { return r->ended(); }};
        }
        StopRequest stop;
        auth::ShareWatch watch(service_, share_, std::chrono::seconds(cfg_.service.status_poll_s),
                               [&stop](const auth::Refusal& why) { stop.request(why.message); });
        // Borrowed: the session still reads the source's state once the player is gone.
        ClipJournal journal(trail_);
        const int code = play_clip(play, [&] { return player::borrow_source(source); }, &stop, badge, &journal);
        ended_ = watch.ended();
        return code;
    }

    void end() {
        if (cache_) settle_cache_after_session(*cache_, cfg_, share_.grant.share_id, ended_);
    }

    const SessionOptions& options_;
    const config::KioskConfig& cfg_;
    auth::ShareService& service_;
    const auth::Redemption& share_;
    const auth::GrantClip& clip_;
    std::optional<cache::EvidenceCache>& cache_;
    const cache::ClipRef ref_;
    AuditTrail& trail_;
    const cast::PairedReceiver* courtroom_screen_;  // null: no cast
    std::optional<auth::Refusal> ended_;
    std::optional<int64_t> altered_chunk_;
};

// Redeems the share and plays the clip, recording each step. Returns an exit code.
int redeem_and_play(const SessionOptions& options, const config::KioskConfig& cfg, AuditTrail& trail) {
    namespace type = audit::event_type;
    auth::ShareService service(cfg);
    std::optional<cache::EvidenceCache> cache = open_cache(cfg, trail);
    if (!cache && options.cache_only) return exit_code::cache_storage;

    bool offline = false;
    auth::RedeemOutcome out = redeem_or_use_kept_grant(service, cache, options.token, offline);
    if (out.refusal) {
        trail.record(type::token_refused, std::nullopt, {{"reason", out.refusal->code}, {"offline", offline}});
        // Whatever this kiosk cached under a share that has since ended goes now.
        if (cache && (out.refusal->code == "revoked" || out.refusal->code == "expired"))
            cache->purge_token(token_digest(options.token), out.refusal->code == "revoked" ? cache::PurgeReason::revoked
                                                                                            : cache::PurgeReason::expired);
        return refused(*out.refusal);
    }
    const auth::Redemption& share = *out.redemption;
    trail.subject.share_id = share.grant.share_id;
    trail.subject.party = auth::party_name(share.grant.party);
    trail.record(type::token_redeemed, std::nullopt, {{"case", share.grant.case_ref}, {"offline", offline}});
    trail.record(type::grant_verified, std::nullopt,
                 {{"grant_id", share.grant.grant_id}, {"issuer", share.grant.issuer}, {"expires_at", share.grant.expires_at}});
    const auth::GrantClip* clip = pick_clip(share.grant, options.clip);
    if (!clip)
        return refused({"clip_not_granted", "This share has no clip \"" + options.clip + "\"; it has " +
                                                std::to_string(share.grant.clips.size()) + " (numbered from 1)."});
    trail.subject.clip_id = clip->id;
    trail.subject.sha256 = clip->sha256;
    const bool casting = !options.cast.empty();
    if (auto r = auth::check_clip(share.grant, clip->id, true, false, casting)) return refused(*r);
    std::unique_ptr<cast::PairedReceiver> courtroom_screen;
    if (casting) {
        // Paired before anything of the clip is fetched: a wrong code costs the clerk no wait.
        const cast::PairingRequest request{*parse_cast_address(options), options.pairing_code, cfg.cast.court_ca,
                                           kiosk_name(cfg), auth::party_banner(share.grant.party),
                                           share.grant.expires_at};
        try {
            courtroom_screen = std::make_unique<cast::PairedReceiver>(request);
        } catch (const cast::CastError& e) {
            std::fprintf(stderr, "courtplay: cannot cast: %s.\n", e.what());
            const auto* refusal = dynamic_cast<const cast::PairingRefused*>(&e);
            trail.record(type::playback_error, std::nullopt,
                         {{"reason", refusal ? "cast_refused_" + refusal->reason : std::string("cast_unreachable")},
                          {"address", options.cast}});
            return exit_code::network;
        }
        std::fprintf(stderr, "courtplay: paired with the courtroom screen %s (%s)\n", courtroom_screen->name().c_str(),
                     options.cast.c_str());
    }
    Session session(options, cfg, service, share, *clip, cache, trail, courtroom_screen.get());
    const int code = session.run();
    if (courtroom_screen) courtroom_screen->end();
    if (code != exit_code::ok && code != exit_code::refused && code != exit_code::audit) {
        // Recorded as a failed proof is (exit code 3), saying also that the proof had passed.
        nlohmann::json details = {{"exit_code", code}};
        if (const std::optional<int64_t> chunk = session.altered_chunk()) {
            details["reason"] = "altered_after_proof";
            details["altered_part"] = *chunk + 1;
        }
        trail.record(type::playback_error, std::nullopt, details);
    }
    return code;
}
}  // namespace

int run_session(const SessionOptions& options) {
    PlayOptions play = options.play;
    play.segment.clear();
    if (int bad = check_play_options(play)) return bad;
    if (options.cast.empty() != options.pairing_code.empty()) {
        std::fprintf(stderr, "courtplay: --cast and --pairing-code go together: the receiver's HOST:PORT and the code "
                             "shown on its screen\n");
        return exit_code::bad_arguments;
    }
    if (!options.cast.empty() && !parse_cast_address(options)) return exit_code::bad_arguments;
    if (!options.pairing_code.empty() && !cast::normalize_pairing_code(options.pairing_code)) {
        std::fprintf(stderr, "courtplay: --pairing-code must be the six digits shown on the courtroom screen\n");
        return exit_code::bad_arguments;
    }
    std::unique_ptr<AuditTrail> trail;
    try {
        const config::KioskConfig cfg = config::load_kiosk_config(options.config);
        if (!options.cast.empty() && cfg.cast.court_ca.empty()) {
            std::fprintf(stderr,
                         "courtplay: this kiosk is not set up to cast: %s has no [cast] court_ca (the court CA that "
                         "issues the courtroom receivers' certificates). Tell court IT\n",
                         cfg.file.string().c_str());
            return exit_code::bad_arguments;
        }
        trail = open_audit_trail(cfg);
        if (!trail) return exit_code::audit;
        if (auto why = trail->backlog_refusal()) {
            std::fprintf(stderr,
                         "courtplay: %s. New playback waits until the service has them: check the network to the "
                         "share service, then run `courtplay audit flush`.\n",
                         why->c_str());
            return exit_code::audit;
        }
        trail->start_shipping();
        trail->subject.session_id = new_session_id();
        trail->record(audit::event_type::session_started, std::nullopt, {{"cache_only", options.cache_only}});
        int code = exit_code::other;
        try {
            code = redeem_and_play(options, cfg, *trail);
        } catch (const auth::NetworkError& e) {
            std::fprintf(stderr, "courtplay: %s\n", e.what());
            trail->record(audit::event_type::playback_error, std::nullopt, {{"reason", e.what()}});
            code = exit_code::network;
        } catch (const player::OpenError& e) {
            std::fprintf(stderr, "courtplay: cannot play %s: %s\n", e.clip().c_str(), e.reason().c_str());
            trail->record(audit::event_type::playback_error, std::nullopt, {{"reason", e.reason()}});
            code = exit_code::bad_media;
        }
        trail->subject.clip_id.clear();
        trail->subject.sha256.clear();
        trail->record(audit::event_type::session_ended, std::nullopt, {{"exit_code", code}});
        return code;
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return exit_code::bad_arguments;
    } catch (const audit::JournalError& e) {
        std::fprintf(stderr, "courtplay: %s. Nothing more is played until the audit journal can be written.\n", e.what());
        return exit_code::audit;
    }
}

}  // namespace courtplay::kiosk
