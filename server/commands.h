// The commands of `courtplay-server`, each a function that does the work and prints what a court IT
// admin needs. main.cpp reads the command line and hands over here. Every command throws
// std::runtime_error (a sentence saying what is wrong and what to do) when it refuses.
#pragma once

#include "server/service.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace courtplay::server {

struct InitOptions {
    std::filesystem::path data;
    std::string hostname = "localhost";
    std::string listen = "127.0.0.1:8443";
};
void run_init(const InitOptions& o);

// Serves until SIGTERM or SIGINT.
void run_serve(const ServiceOptions& o);

struct ClipAddOptions {
    std::filesystem::path data, file;
    std::string title;
    std::optional<std::string> recorded_at;
    std::string device;
};
void run_clip_add(const ClipAddOptions& o);  // prints the clip id
void run_clip_list(const std::filesystem::path& data);

struct ShareOptions {
    std::filesystem::path data;
    std::string party;
    std::string case_ref;  // create only
    std::string from;      // onward only: share id or token of the source share
    std::string clips, perms, expires;
    std::optional<std::string> kiosk;
    std::vector<std::string> segments;
    bool reshare = false;  // create only
};
void run_share_create(const ShareOptions& o);  // prints the token only
void run_share_onward(const ShareOptions& o);  // prints the token only
void run_share_revoke(const std::filesystem::path& data, const std::string& share_or_token);
void run_share_list(const std::filesystem::path& data);

// The audit commands return their exit status (docs/audit.md): verify 0 clean, 1 faults;
// export 0, 2 an unknown --party, 4 a --share of another party, 1 damaged records left out.
int run_audit_verify(const std::filesystem::path& data);
struct AuditExportOptions {
    std::filesystem::path data;
    std::string party;  // cps, defence or court
    std::optional<std::string> share;
};
int run_audit_export(const AuditExportOptions& o);

}  // namespace courtplay::server
