#include "support/share_fixture.h"

#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>


namespace courtplay::testing {
namespace fs = std::filesystem;

int free_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

RunResult server_cli(const std::vector<std::string>& args) {
    std::vector<std::string> argv{COURTPLAY_SERVER_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

ServiceFolder::ServiceFolder(const std::string& name, server::ServiceOptions options) {
    static int made = 0;
    data = fs::path(scratch_dir()) / (name + "-" + std::to_string(++made));
    REQUIRE(server_cli({"init", "--data", data, "--listen", "127.0.0.1:" + std::to_string(port)}).exit_code == 0);
    start(options);
}

ServiceFolder::~ServiceFolder() = default;

std::string ServiceFolder::add_clip(const std::string& path, const std::string& title, std::vector<std::string> extra) {
    std::vector<std::string> args{"clip", "add", "--data", data, path, "--title", title};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = server_cli(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return trimmed(r.out);
}

std::string ServiceFolder::share(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"share", "create", "--data", data};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = server_cli(argv);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return trimmed(r.out);
}

void ServiceFolder::start(server::ServiceOptions options) {
    options.data = data;
    service_ = std::make_unique<server::Service>(options);
    service_->start();
}

void ServiceFolder::stop() { service_.reset(); }

fs::path ServiceFolder::stored_clip(const std::string& clip_id) const {
    for (const auto& e : fs::directory_iterator(data / "clips"))
        if (e.path().stem() == clip_id) return e.path();
    FAIL("the service's copy of clip " << clip_id << " is missing");
    return {};
}

}  // namespace courtplay::testing
