// courtplay: the courtroom evidence player. This file only reads the command line and hands over.
#include "kiosk/admin_commands.h"
#include "kiosk/app/kiosk_app.h"
#include "kiosk/audit_commands.h"
#include "kiosk/cache_commands.h"
#include "kiosk/demo.h"
#include "kiosk/egress_rules.h"
#include "kiosk/forgetful_memory.h"
#include "kiosk/play_session.h"
#include "kiosk/receiver_command.h"
#include "kiosk/receivers_command.h"
#include "kiosk/share_commands.h"
#include "kiosk/share_session.h"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>

namespace {
// The flags `play` and `session` share: how to play, and what to record about it.
void add_playback_flags(CLI::App* cmd, courtplay::kiosk::PlayOptions& play) {
    cmd->add_flag("--headless", play.headless, "No window and no sound device; timing is otherwise the same");
    cmd->add_flag("--fullscreen", play.fullscreen, "Fill the screen");
    cmd->add_option("--commands", play.commands, "Timed control script, one '<seconds> <command> [arg]' a line");
    cmd->add_option("--frame-log", play.frame_log, "Write one line per frame shown: time, media seconds, md5");
    cmd->add_option("--stats", play.stats, "Write playback figures as JSON at exit");
    cmd->add_option("--audio-log", play.audio_log, "Write when each click in the sound is heard (diagnostic)");
    cmd->add_flag("!--no-audio", play.audio, "Ignore the clip's sound");
    cmd->add_flag("--verbose", play.verbose, "Show FFmpeg's own messages");
    cmd->add_option("--dump-presented", play.dump_presented,
                    "Write presented frames, as shown (watermark included), as PNG into this folder");
    cmd->add_option("--dump-every", play.dump_every, "With --dump-presented: every Nth presented frame (default 1)")
        ->check(CLI::PositiveNumber);
}
}  // namespace

int main(int argc, char** argv) {
    using namespace courtplay::kiosk;
    forget_what_is_freed();  // before any library allocates
    // A peer that hangs up (a receiver switched off mid-cast) must be an error from write(), not
    // the end of the kiosk: OpenSSL writes to its sockets with plain write().
    std::signal(SIGPIPE, SIG_IGN);
    CLI::App app{"courtplay: courtroom playback and review of digital evidence"};
    app.set_version_flag("--version", "courtplay 0.1.0");
    bool demo = false;
    DemoOptions demo_options;
    app.add_flag("--demo", demo,
                 "Start a demo court on this machine (share service, clips, a CPS and a defence share) and open the kiosk on it");
    app.add_option("--screenshots", demo_options.screenshots,
                   "With --demo and no display: where the scripted session saves its screenshots");
    std::string kiosk_config;
    bool windowed = false;
    app.add_option("--config", kiosk_config, "Run the kiosk with this configuration (TOML): the production start");
    app.add_flag("--windowed", windowed, "With --config or --demo: a window rather than the whole screen");

    PlayOptions play;
    CLI::App* play_cmd = app.add_subcommand("play", "Play one clip from a file, or streamed from an https:// address");
    add_playback_flags(play_cmd, play);
    play_cmd->add_option("--segment", play.segment, "Permitted segment IN:OUT in seconds; playback stays inside it");
    play_cmd->add_option("--ca-file", play.ca_file, "https: trust this CA (PEM) instead of the system's bundle");
    play_cmd->add_option("--access-token-file", play.access_token_file,
                         "https: send the token in this file as 'Authorization: Bearer' (a share's access token)");
    play_cmd->add_option("--watermark", play.watermark.text,
                         "Text burned into every frame shown, with the date and time (default: LOCAL PLAYBACK and this computer's name)");
    play_cmd->add_option("--cast-srt", play.cast_srt,
                         "Also cast the watermarked pictures and the sound to a receiver at HOST:PORT (encrypted SRT)");
    play_cmd->add_option("--stream-key-file", play.stream_key_file,
                         "With --cast-srt: the stream key, 64 hex digits in an owner-only file (until pairing)");
    play_cmd->add_option("INPUT", play.input, "The clip to play: a file, or an https:// address")->required();

    ReceiverOptions receiver;
    CLI::App* receiver_cmd = app.add_subcommand("receiver", "Show what a kiosk casts to this computer's screen");
    receiver_cmd->add_option("--config", receiver.config, "The receiver's configuration (TOML, [receiver])")->required();
    receiver_cmd->add_option("--listen", receiver.listen, "Listen on HOST:PORT instead of the config's");
    receiver_cmd->add_flag("--headless", receiver.headless, "No window: receive and decode only");
    receiver_cmd->add_option("--frame-log", receiver.frame_log,
                             "Write one line per frame received: time, the sender's media seconds, md5");
    receiver_cmd->add_option("--stats", receiver.stats, "Write the receiver's figures as JSON at exit");
    receiver_cmd->add_option("--stream-key-file", receiver.stream_key_file,
                             "Do not pair: take any stream under this key (64 hex digits, owner-only file)");
    receiver_cmd->add_flag("--print-pairing-code", receiver.print_pairing_code,
                           "Print each new pairing code on standard output, a line each (for automation)");
    receiver_cmd->add_flag("--verbose", receiver.verbose, "Show FFmpeg's own messages");

    SessionOptions session;
    CLI::App* session_cmd = app.add_subcommand("session", "Redeem a share code and play a clip it permits");
    session_cmd->add_option("--config", session.config, "The kiosk configuration (TOML)")->required();
    session_cmd->add_option("--token", session.token, "The share code, as typed or scanned")->required();
    session_cmd->add_option("--clip", session.clip, "Clip id, or its number in the share from 1 (default: the first)");
    session_cmd->add_flag("--cache-only", session.cache_only, "Play only from the kiosk's cache; never fetch media");
    session_cmd->add_option("--cast", session.cast,
                            "Also show the clip on the courtroom screen whose receiver is at HOST:PORT (needs --pairing-code)");
    session_cmd->add_option("--pairing-code", session.pairing_code, "With --cast: the code shown on that screen");
    add_playback_flags(session_cmd, session.play);

    std::string config_file, token;
    CLI::App* redeem_cmd = app.add_subcommand("redeem", "Redeem a share code and print what the grant permits (JSON)");
    redeem_cmd->add_option("--config", config_file, "The kiosk configuration (TOML)")->required();
    redeem_cmd->add_option("TOKEN", token, "The share code, as typed or scanned")->required();

    CLI::App* receivers_cmd =
        app.add_subcommand("receivers", "Check this courtroom's receivers ([cast] receivers): reachable, certified, casting?");
    receivers_cmd->add_option("--config", config_file, "The kiosk configuration (TOML)")->required();
    bool find_receivers = false;
    receivers_cmd->add_flag("--find", find_receivers, "Also list the receivers announced on the network (DNS-SD)");

    bool cache_json = false, purge_all = false;
    CLI::App* cache_cmd = app.add_subcommand("cache", "The kiosk's encrypted clip cache");
    CLI::App* prefetch_cmd = cache_cmd->add_subcommand("prefetch", "Redeem a share and cache the clips it allows");
    prefetch_cmd->add_option("--config", config_file, "The kiosk configuration (TOML)")->required();
    prefetch_cmd->add_option("--token", token, "The share code, as typed or scanned")->required();
    CLI::App* list_cmd = cache_cmd->add_subcommand("list", "Show the cached clips");
    list_cmd->add_option("--config", config_file, "The kiosk configuration (TOML)")->required();
    list_cmd->add_flag("--json", cache_json, "As JSON, for programs");
    CLI::App* purge_cmd = cache_cmd->add_subcommand("purge", "Remove expired, damaged and over-limit clips");
    purge_cmd->add_option("--config", config_file, "The kiosk configuration (TOML)")->required();
    purge_cmd->add_flag("--all", purge_all, "Remove every cached clip");
    cache_cmd->require_subcommand(1);

    int flush_timeout_s = 30;
    CLI::App* audit_cmd = app.add_subcommand("audit", "The kiosk's audit journal");
    CLI::App* audit_list_cmd = audit_cmd->add_subcommand("list", "Print the journal as JSON lines, with what is delivered");
    audit_list_cmd->add_option("--config", config_file, "The kiosk configuration (TOML)")->required();
    CLI::App* audit_flush_cmd = audit_cmd->add_subcommand("flush", "Deliver the journal's backlog to the audit service now");
    audit_flush_cmd->add_option("--config", config_file, "The kiosk configuration (TOML)")->required();
    audit_flush_cmd->add_option("--timeout", flush_timeout_s, "Give up after this many seconds (default 30)")
        ->check(CLI::Range(1, 86400));
    audit_cmd->require_subcommand(1);

    std::string jwk_file, jws_file;
    CLI::App* jws_cmd = app.add_subcommand("jws", "Signed grants (JWS)");
    CLI::App* jws_verify_cmd = jws_cmd->add_subcommand("verify", "Check a grant's signature and print its payload");
    jws_verify_cmd->add_option("--jwk", jwk_file, "The issuer's public key (JWK)")->required();
    jws_verify_cmd->add_option("JWS_FILE", jws_file, "The compact JWS, or - for standard input");
    jws_cmd->require_subcommand(1);

    CLI::App* admin_cmd = app.add_subcommand("admin", "The kiosk's admin screen; the OS image's settings from the configuration");
    CLI::App* pin_hash_cmd = admin_cmd->add_subcommand("pin-hash", "Read a new admin PIN twice; print its [admin] pin_hash line");
    std::string resolv_conf, rules_output;
    CLI::App* egress_cmd = admin_cmd->add_subcommand(
        "egress-rules", "Print the nftables egress allow-list for this configuration, names resolved now (the OS image's)");
    egress_cmd->add_option("--config", config_file, "The kiosk configuration (TOML)")->required();
    egress_cmd->add_option("--resolv-conf", resolv_conf,
                           "Allow DNS to the nameservers this file lists (default /etc/resolv.conf)")
        ->default_val("/etc/resolv.conf");
    egress_cmd->add_option("--output", rules_output, "Write the ruleset to this file (replaced whole) instead of stdout");
    CLI::App* ntp_conf_cmd =
        admin_cmd->add_subcommand("ntp-conf", "Print systemd-timesyncd's settings for [time] ntp_servers (the OS image's)");
    ntp_conf_cmd->add_option("--config", config_file, "The kiosk configuration (TOML)")->required();
    admin_cmd->require_subcommand(1);

    app.add_flag("--headless", demo_options.headless, "With --demo: run the scripted session even when there is a display");
    app.require_subcommand(0, 1);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "courtplay: %s (see courtplay --help)\n", e.what());
        return 2;
    }
    // Each command says its own errors in words. Anything that still escapes is a fault in
    // courtplay: said in one line (the unit's journal) rather than as an abort.
    try {
        if (*play_cmd) return run_play(play);
        if (*session_cmd) return run_session(session);
        if (*receiver_cmd) return run_receiver(receiver);
        if (*receivers_cmd) return run_receivers(config_file, find_receivers);
        if (*redeem_cmd) return run_redeem(config_file, token);
        if (*prefetch_cmd) return run_cache_prefetch(config_file, token);
        if (*list_cmd) return run_cache_list(config_file, cache_json);
        if (*purge_cmd) return run_cache_purge(config_file, purge_all);
        if (*audit_list_cmd) return run_audit_list(config_file);
        if (*audit_flush_cmd) return run_audit_flush(config_file, flush_timeout_s);
        if (*jws_verify_cmd) return run_jws_verify(jwk_file, jws_file);
        if (*pin_hash_cmd) return run_admin_pin_hash();
        if (*egress_cmd) return run_admin_egress_rules(config_file, resolv_conf, rules_output);
        if (*ntp_conf_cmd) return run_admin_ntp_conf(config_file);
        demo_options.windowed = windowed;
        if (demo) return run_demo(demo_options);
        if (!kiosk_config.empty()) return app::run_kiosk(kiosk_config, windowed);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "courtplay: stopped by an unexpected error (a fault in courtplay; tell court IT): %s\n",
                     e.what());
        return 1;
    }
    std::fprintf(stderr, "courtplay: say what to do: `courtplay play FILE` or `courtplay --demo` (see --help)\n");
    return 2;
}
