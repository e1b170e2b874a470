// The reference share service for kiosk-side tests: a data folder made by the real
// `courtplay-server init`, clips and shares made by its real commands, and the service running
// in-process on a free loopback port with real TLS.
#pragma once

#include "auth/court_time.h"
#include "server/service.h"
#include "support/testing.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace courtplay::testing {

int free_port();
// Runs the courtplay-server binary under test.
RunResult server_cli(const std::vector<std::string>& args);
std::string trimmed(std::string s);  // without trailing newlines and spaces
using auth::unix_now;

class ServiceFolder {
public:
    // `name` is made unique per construction (Catch sections re-run a test case). The service
    // starts with `options` (their `data` is filled in).
    explicit ServiceFolder(const std::string& name, server::ServiceOptions options = {});
    ~ServiceFolder();

    std::string add_clip(const std::string& path, const std::string& title, std::vector<std::string> extra = {});
    // `share create` with these arguments after --data; returns the token.
    std::string share(const std::vector<std::string>& args);
    void start(server::ServiceOptions options = {});
    void stop();
    // Where the service keeps its copy of a clip (tests alter it).
    std::filesystem::path stored_clip(const std::string& clip_id) const;
    std::string config() const { return (data / "kiosk.toml").string(); }

    std::filesystem::path data;
    int port = free_port();

private:
    std::unique_ptr<server::Service> service_;
};

}  // namespace courtplay::testing
