#include "kiosk/app/demo_court.h"

#include "assets/demo_clips.h"
#include "auth/pin_hash.h"
#include "kiosk/tied_child.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace courtplay::kiosk::app {
namespace fs = std::filesystem;
namespace {

// The service binary: next to this one (installed), in the build tree's server/, or on PATH.
std::string find_server() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    for (const fs::path& p : {self.parent_path() / "courtplay-server", self.parent_path() / "../server/courtplay-server"})
        if (fs::exists(p, ec)) return fs::weakly_canonical(p).string();
    return "courtplay-server";
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0) ::close(fd);
    if (!port) throw std::runtime_error("no free port on this machine for the demo's share service");
    return port;
}

std::string read_all(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string first_line(std::string s) {
    s = s.substr(0, s.find('\n'));
    return s;
}

// Xlib ends the process with exit() when the X server goes away under the kiosk, and the demo's
// destructor, on main's stack, never runs then: exit() runs this instead. One demo at a time.
DemoCourt* live_demo = nullptr;
std::once_flag at_exit_registered;

}  // namespace

std::string DemoCourt::server(const std::vector<std::string>& args) const {
    std::vector<std::string> all{server_bin_};
    all.insert(all.end(), args.begin(), args.end());
    const fs::path out = root_ / "step.out", err = root_ / "step.err";
    const pid_t pid = spawn_tied(all, out, err);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("courtplay-server " + args.at(0) + " failed: " + first_line(read_all(err)));
    return read_all(out);
}

DemoCourt::DemoCourt() : server_bin_(find_server()) {
    std::string pattern = (fs::temp_directory_path() / "courtplay-demo-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot make a folder for the demo");
    root_ = pattern;
    std::call_once(at_exit_registered, [] { std::atexit([] { if (live_demo) live_demo->stop_and_remove(); }); });
    live_demo = this;
    data_ = root_ / "service";
    config_ = data_ / "kiosk.toml";
    try {
        std::fprintf(stderr, "courtplay: demo: making three demo clips...\n");
        fs::create_directories(root_ / "clips");
        const std::vector<assets::DemoClip> clips = assets::make_demo_clips(root_ / "clips");
        const int port = free_port();
        server({"init", "--data", data_.string(), "--listen", "127.0.0.1:" + std::to_string(port)});
        std::vector<std::string> ids;
        for (const assets::DemoClip& c : clips)
            ids.push_back(first_line(server({"clip", "add", "--data", data_.string(), c.path.string(), "--title", c.title,
                                             "--device", c.device, "--recorded-at", c.recorded_at})));
        const std::string all = ids[0] + "," + ids[1] + "," + ids[2];
        const std::string case_ref = "01YZ1234526";
        shares_.cps = first_line(server({"share", "create", "--data", data_.string(), "--party", "cps", "--case", case_ref,
                                         "--clips", all, "--perms", "view,cache,cast", "--expires", "8h"}));
        // The defence sees two clips, streamed, the dash-cam only in part: what disclosure allowed.
        shares_.defence = first_line(server({"share", "create", "--data", data_.string(), "--party", "defence", "--case",
                                             case_ref, "--clips", ids[0] + "," + ids[1], "--perms", "view", "--expires",
                                             "2h", "--segment", ids[1] + ":2-8"}));
        shares_.withdrawn = first_line(server({"share", "create", "--data", data_.string(), "--party", "cps", "--case",
                                               case_ref, "--clips", ids[2], "--perms", "view", "--expires", "1h"}));
        server({"share", "revoke", "--data", data_.string(), shares_.withdrawn});
        // The kiosk's own settings for the demo: a PIN court IT would choose, short idle times.
        std::ofstream cfg(config_, std::ios::app);
        cfg << "\n[ui]\nlanguage = \"en\"\nidle_timeout_s = 300\nidle_warning_s = 30\n\n[admin]\npin_hash = \""
            << auth::make_pin_hash(kAdminPin) << "\"\n";
        if (!cfg.flush()) throw std::runtime_error("cannot write the demo's kiosk config");
        serve_ = spawn_tied({server_bin_, "serve", "--data", data_.string()}, root_ / "serve.out", root_ / "serve.err");
        // Ready when it says it listens (a few hundred milliseconds).
        for (int i = 0; i < 100; ++i) {
            if (read_all(root_ / "serve.err").find("listening on") != std::string::npos) return;
            int status = 0;
            if (::waitpid(serve_, &status, WNOHANG) == serve_) {
                serve_ = -1;
                throw std::runtime_error("the demo's share service stopped: " + first_line(read_all(root_ / "serve.err")));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        throw std::runtime_error("the demo's share service did not start within 10 s");
    } catch (...) {
        stop_and_remove();
        throw;
    }
}

DemoCourt::~DemoCourt() { stop_and_remove(); }

void DemoCourt::stop_and_remove() {
    if (live_demo == this) live_demo = nullptr;
    if (serve_ > 0) {
        ::kill(serve_, SIGTERM);
        int status = 0;
        ::waitpid(serve_, &status, 0);
        serve_ = -1;
    }
    std::error_code ec;
    if (!root_.empty()) fs::remove_all(root_, ec);
    root_.clear();
}

}  // namespace courtplay::kiosk::app
