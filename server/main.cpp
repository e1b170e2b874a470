// courtplay-server: the reference share service. Reads the command line and hands over to
// commands.h; docs/api.md describes the commands and the HTTP API.
#include "server/commands.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

namespace srv = courtplay::server;

int main(int argc, char** argv) {
    CLI::App app{"courtplay-server: shares evidence clips with courtplay kiosks over HTTPS"};
    app.require_subcommand(1);

    srv::InitOptions init;
    auto* init_cmd = app.add_subcommand("init", "Make a data folder: development CA, TLS certificate, issuer keys, "
                                                "database and a kiosk.toml");
    init_cmd->add_option("--data", init.data, "The data folder to make (must not exist, or be empty)")->required();
    init_cmd->add_option("--hostname", init.hostname, "The name kiosks reach the service by (certificate and URLs)")
        ->capture_default_str();
    init_cmd->add_option("--listen", init.listen, "HOST:PORT to listen on")->capture_default_str();

    srv::ServiceOptions serve;
    std::string serve_listen, serve_cert, serve_key;
    auto* serve_cmd = app.add_subcommand("serve", "Run the HTTPS service until SIGTERM or SIGINT");
    serve_cmd->add_option("--data", serve.data, "The data folder made by init")->required();
    serve_cmd->add_option("--listen", serve_listen, "HOST:PORT (default: the address given to init; port 0: any free)");
    serve_cmd->add_option("--cert", serve_cert, "TLS certificate (default DIR/tls/server.pem)");
    serve_cmd->add_option("--key", serve_key, "TLS private key (default DIR/tls/server.key)");
    serve_cmd->add_option("--max-failures", serve.max_failures, "Failed redemptions per address before 429")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    serve_cmd->add_option("--failure-window", serve.failure_window_s, "Seconds the failures are counted over")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    serve_cmd->add_option("--clip-rate", serve.clip_rate_kib_s,
                          "Send clip bytes at no more than this many KiB/s (a slow network, for tests)")
        ->check(CLI::PositiveNumber);

    auto* clip_cmd = app.add_subcommand("clip", "Add or list clips")->require_subcommand(1);
    srv::ClipAddOptions clip_add;
    std::string recorded_at;
    auto* clip_add_cmd = clip_cmd->add_subcommand("add", "Add a clip file; prints its id");
    clip_add_cmd->add_option("--data", clip_add.data, "The data folder")->required();
    clip_add_cmd->add_option("FILE", clip_add.file, "The clip file")->required();
    clip_add_cmd->add_option("--title", clip_add.title, "What people will see it called")->required();
    auto* recorded_opt = clip_add_cmd->add_option("--recorded-at", recorded_at,
                                                  "When it was recorded (ISO 8601; default: the file's own)");
    clip_add_cmd->add_option("--device", clip_add.device, "Camera or device id");
    std::filesystem::path clip_list_data;
    auto* clip_list_cmd = clip_cmd->add_subcommand("list", "List the clips");
    clip_list_cmd->add_option("--data", clip_list_data, "The data folder")->required();

    auto* share_cmd = app.add_subcommand("share", "Create, pass on, revoke or list shares")->require_subcommand(1);
    srv::ShareOptions create;
    std::string create_kiosk;
    auto* create_cmd = share_cmd->add_subcommand("create", "Create a share; prints its token only");
    create_cmd->add_option("--data", create.data, "The data folder")->required();
    create_cmd->add_option("--party", create.party, "cps or defence")->required();
    create_cmd->add_option("--case", create.case_ref, "The case URN")->required();
    create_cmd->add_option("--clips", create.clips, "ID[,ID...]")->required();
    create_cmd->add_option("--perms", create.perms, "view[,cache][,cast]")->required();
    create_cmd->add_option("--expires", create.expires, "ISO 8601 time or a duration (8h, 7d, P7D)")->required();
    auto* create_kiosk_opt = create_cmd->add_option("--kiosk", create_kiosk, "Only this kiosk may redeem it");
    create_cmd->add_option("--segment", create.segments, "ID:IN-OUT in seconds; may repeat")->expected(1)->take_all();
    create_cmd->add_flag("--reshare", create.reshare, "The CPS may pass it on to the defence (share onward)");

    srv::ShareOptions onward;
    std::string onward_kiosk;
    auto* onward_cmd = share_cmd->add_subcommand("onward", "Pass a CPS share on to the defence, narrowed; prints the token");
    onward_cmd->add_option("--data", onward.data, "The data folder")->required();
    onward_cmd->add_option("--from", onward.from, "The source share: id or token")->required();
    onward.party = "defence";
    onward_cmd->add_option("--party", onward.party, "The receiving party")->capture_default_str();
    onward_cmd->add_option("--clips", onward.clips, "ID[,ID...] (a subset of the source's)")->required();
    onward_cmd->add_option("--perms", onward.perms, "view[,cache][,cast] (no more than the source's)")->required();
    onward_cmd->add_option("--expires", onward.expires, "ISO 8601 or duration (no later than the source's)")->required();
    auto* onward_kiosk_opt = onward_cmd->add_option("--kiosk", onward_kiosk, "Only this kiosk may redeem it");
    onward_cmd->add_option("--segment", onward.segments, "ID:IN-OUT in seconds; may repeat")->expected(1)->take_all();

    std::filesystem::path revoke_data;
    std::string revoke_what;
    auto* revoke_cmd = share_cmd->add_subcommand("revoke", "Revoke a share and its onward shares");
    revoke_cmd->add_option("--data", revoke_data, "The data folder")->required();
    revoke_cmd->add_option("SHARE", revoke_what, "Share id (sh_...) or its token")->required();

    std::filesystem::path share_list_data;
    auto* share_list_cmd = share_cmd->add_subcommand("list", "List the shares");
    share_list_cmd->add_option("--data", share_list_data, "The data folder")->required();

    auto* audit_cmd = app.add_subcommand("audit", "Verify or export the audit trail kiosks ship")->require_subcommand(1);
    std::filesystem::path verify_data;
    auto* verify_cmd = audit_cmd->add_subcommand(
        "verify", "Re-check every stored chain and seal; prints the events, kiosks and faults (exit 1: faults)");
    verify_cmd->add_option("--data", verify_data, "The data folder")->required();
    srv::AuditExportOptions audit_export;
    std::string export_share;
    auto* export_cmd = audit_cmd->add_subcommand("export", "Print one party's stored audit events as JSON lines");
    export_cmd->add_option("--data", audit_export.data, "The data folder")->required();
    export_cmd->add_option("--party", audit_export.party, "cps, defence or court (court sees every event)")->required();
    auto* export_share_opt = export_cmd->add_option("--share", export_share, "Only this share's events (sh_...)");

    CLI11_PARSE(app, argc, argv);

    try {
        if (*init_cmd) {
            srv::run_init(init);
        } else if (*serve_cmd) {
            if (!serve_listen.empty()) {
                serve.listen = srv::parse_listen(serve_listen);
                if (!serve.listen) {
                    std::fprintf(stderr, "courtplay-server: --listen `%s` is not HOST:PORT (for example 127.0.0.1:8443)\n",
                                 serve_listen.c_str());
                    return 2;
                }
            }
            if (!serve_cert.empty()) serve.cert = serve_cert;
            if (!serve_key.empty()) serve.key = serve_key;
            srv::run_serve(serve);
        } else if (*clip_add_cmd) {
            if (*recorded_opt) clip_add.recorded_at = recorded_at;
            srv::run_clip_add(clip_add);
        } else if (*clip_list_cmd) {
            srv::run_clip_list(clip_list_data);
        } else if (*create_cmd) {
            if (*create_kiosk_opt) create.kiosk = create_kiosk;
            srv::run_share_create(create);
        } else if (*onward_cmd) {
            if (*onward_kiosk_opt) onward.kiosk = onward_kiosk;
            srv::run_share_onward(onward);
        } else if (*revoke_cmd) {
            srv::run_share_revoke(revoke_data, revoke_what);
        } else if (*share_list_cmd) {
            srv::run_share_list(share_list_data);
        } else if (*verify_cmd) {
            return srv::run_audit_verify(verify_data);
        } else if (*export_cmd) {
            if (*export_share_opt) audit_export.share = export_share;
            return srv::run_audit_export(audit_export);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "courtplay-server: %s\n", e.what());
        return 1;
    }
    return 0;
}
