#include "support/testing.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

namespace courtplay::testing {
namespace {

struct Scratch {
    std::string path;
    Scratch() {
        std::string pattern = (std::filesystem::temp_directory_path() / "courtplay-test-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path = pattern;
    }
    ~Scratch() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

}  // namespace

const std::string& scratch_dir() {
    static Scratch scratch;
    return scratch.path;
}

std::string fixture(assets::SampleSpec spec) {
    static std::mutex mutex;
    static std::map<std::string, std::string> made;
    std::lock_guard lock(mutex);
    const std::string name = spec.path;
    if (auto it = made.find(name); it != made.end()) return it->second;
    spec.path = scratch_dir() + "/" + name;
    assets::write_sample(spec);
    made[name] = spec.path;
    return spec.path;
}

Spawned::Spawned(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    // stdout and stderr go to files: reading two pipes in turn could deadlock on a full one.
    static std::atomic<int> counter{0};
    const std::string base = scratch_dir() + "/run" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    out_path_ = base + ".out", err_path_ = base + ".err";
    pid_ = fork();
    if (pid_ == 0) {
        FILE* o = std::freopen(out_path_.c_str(), "w", stdout);
        FILE* e = std::freopen(err_path_.c_str(), "w", stderr);
        if (!o || !e) _exit(127);
        for (const auto& kv : env) putenv(const_cast<char*>(kv.c_str()));
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
}

Spawned::~Spawned() {
    if (exit_code_ < 0) {
        kill(SIGKILL);
        wait();
    }
}

std::string Spawned::err() const { return read_file(err_path_); }
std::string Spawned::out() const { return read_file(out_path_); }

bool Spawned::wait_for_err(const std::string& text, std::chrono::milliseconds limit, size_t times) {
    const auto until = std::chrono::steady_clock::now() + limit;
    auto found = [&] {
        const std::string e = err();
        size_t n = 0;
        for (size_t at = e.find(text); at != std::string::npos && n < times; at = e.find(text, at + text.size())) ++n;
        return n >= times;
    };
    while (!found()) {
        int status = 0;
        if (exit_code_ >= 0 || std::chrono::steady_clock::now() > until) return false;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return found();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

void Spawned::kill(int signal) {
    if (exit_code_ < 0) ::kill(pid_, signal);
}

RunResult Spawned::wait(std::chrono::seconds limit) {
    std::string hung;
    const auto until = std::chrono::steady_clock::now() + limit;
    while (exit_code_ < 0) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        } else if (std::chrono::steady_clock::now() > until) {
            hung = "\n[tests: still running after " + std::to_string(limit.count()) + " s, killed; its threads:]\n" +
                   Spawned({"gdb", "-p", std::to_string(pid_), "-batch", "-ex", "thread apply all bt"}).wait(std::chrono::seconds(60)).out;
            ::kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            exit_code_ = 124;
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    return {exit_code_, read_file(out_path_), read_file(err_path_) + hung};
}

RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    return Spawned(argv, env).wait();
}

Spawned spawn_courtplay(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    std::vector<std::string> argv{COURTPLAY_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return Spawned(argv, env);
}

RunResult run_courtplay(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    std::vector<std::string> argv{COURTPLAY_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, env);
}

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<FrameLine> read_frame_log(const std::string& path) {
    std::vector<FrameLine> out;
    for (const std::string& line : read_lines(path)) {
        std::istringstream s(line);
        FrameLine f;
        std::string mono, media;
        std::getline(s, mono, '\t');
        std::getline(s, media, '\t');
        std::getline(s, f.md5);
        f.mono_ms = std::stod(mono);
        f.media = std::stod(media);
        out.push_back(f);
    }
    return out;
}

std::vector<ReferenceFrame> ffmpeg_framemd5(const std::string& input) {
    RunResult r = run({"ffmpeg", "-v", "error", "-noautorotate", "-i", input, "-map", "0:v:0", "-fps_mode",
                       "passthrough", "-f", "framemd5", "-"});
    if (r.exit_code != 0) throw std::runtime_error("ffmpeg framemd5 failed: " + r.err);
    std::vector<ReferenceFrame> frames;
    double tb = 0;
    int64_t first_pts = 0;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("#tb 0:", 0) == 0) {
            int num = 0, den = 1;
            std::sscanf(line.c_str(), "#tb 0: %d/%d", &num, &den);
            tb = static_cast<double>(num) / den;
            continue;
        }
        if (line.empty() || line[0] == '#') continue;
        // stream, dts, pts, duration, size, hash
        std::istringstream s(line);
        std::string field;
        std::vector<std::string> fields;
        while (std::getline(s, field, ',')) fields.push_back(field);
        if (fields.size() < 6) continue;
        int64_t pts = std::stoll(fields[2]);
        if (frames.empty()) first_pts = pts;
        std::string md5 = fields[5];
        md5.erase(0, md5.find_first_not_of(' '));
        frames.push_back({static_cast<double>(pts - first_pts) * tb, md5});
    }
    return frames;
}

SmallDisk::SmallDisk(const std::string& name, const std::string& size)
    : path_((std::filesystem::path(scratch_dir()) / name).string()) {
    std::filesystem::create_directories(path_);
    const std::string options = "size=" + size + ",mode=0700";
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) != 0)
        throw std::runtime_error("cannot mount a tmpfs on " + path_ + " (the tests run as root)");
}

SmallDisk::~SmallDisk() { ::umount2(path_.c_str(), MNT_DETACH); }

void SmallDisk::remount_read_only() {
    if (::mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr) != 0)
        throw std::runtime_error("cannot remount " + path_ + " read-only");
}

}  // namespace courtplay::testing
