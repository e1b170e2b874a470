// Shared by the test programs: fixture clips made on demand, running the courtplay binary, and
// FFmpeg's own framemd5 as the oracle for "the frame exactly as decoded".
#pragma once

#include "assets/sample_clip.h"

#include <sys/types.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace courtplay::testing {

// True once `condition` holds, looked at every 100 ms for up to `limit`: for what the system does in
// its own time (a service announced or withdrawn, a picture arriving).
template <typename Condition>
bool soon(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return condition();
}

// A scratch folder for this test process, removed at exit.
const std::string& scratch_dir();

// Makes (once per process) the clip `spec` describes; spec.path is taken as a file name inside
// the scratch folder. Returns the full path.
std::string fixture(assets::SampleSpec spec);

// A real, small file system (tmpfs, mounted as root) for full-disk and read-only tests; unmounted
// when it goes. `size` is mount's form: "3m".
class SmallDisk {
public:
    SmallDisk(const std::string& name, const std::string& size);
    ~SmallDisk();
    SmallDisk(const SmallDisk&) = delete;
    const std::string& path() const { return path_; }
    void remount_read_only();

private:
    std::string path_;
};

struct RunResult {
    int exit_code = -1;
    std::string out, err;
};
// A program started in the background (with extra NAME=VALUE environment), for tests that act
// while it runs: kill it, stop the service under it. Killed and reaped if still running at the end.
class Spawned {
public:
    Spawned(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
    ~Spawned();
    Spawned(Spawned&&) = delete;
    std::string err() const;  // its stderr so far
    std::string out() const;  // its stdout so far
    // True once its stderr holds `text` (`times` times); false if it exits or the time runs out first.
    bool wait_for_err(const std::string& text, std::chrono::milliseconds limit, size_t times = 1);
    void kill(int signal);
    // Exit code (128 + signal when killed), stdout and stderr. A program still running after
    // `limit` has hung: its threads' stacks (gdb) are added to its stderr, it is killed, and the
    // exit code is 124 (as timeout(1)), so the test fails saying where, before ctest's own limit.
    RunResult wait(std::chrono::seconds limit = std::chrono::seconds(200));
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int exit_code_ = -1;
    std::string out_path_, err_path_;
};

// Runs a program with arguments (and extra NAME=VALUE environment) and waits for it, collecting
// stdout and stderr.
RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
// Runs the courtplay binary under test.
RunResult run_courtplay(const std::vector<std::string>& args, const std::vector<std::string>& env = {});
Spawned spawn_courtplay(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

std::vector<std::string> read_lines(const std::string& path);
void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);

struct FrameLine {
    double mono_ms = 0;
    double media = 0;
    std::string md5;
};
std::vector<FrameLine> read_frame_log(const std::string& path);

// What `ffmpeg -noautorotate -i INPUT -map 0:v:0 -fps_mode passthrough -f framemd5 -` prints:
// (media seconds from the first frame, md5) per frame.
struct ReferenceFrame {
    double media = 0;
    std::string md5;
};
std::vector<ReferenceFrame> ffmpeg_framemd5(const std::string& input);

}  // namespace courtplay::testing
