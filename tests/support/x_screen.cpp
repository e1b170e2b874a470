#include "support/x_screen.h"

#include "support/testing.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <algorithm>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

// Last: Xlib's macros (None, Always, Status ...) would break the C++ headers above.
#include <X11/Xlib.h>
#include <X11/Xutil.h>

namespace courtplay::testing {
namespace {
struct DisplayClose { void operator()(Display* d) const { XCloseDisplay(d); } };
using DisplayPtr = std::unique_ptr<Display, DisplayClose>;

DisplayPtr open_display() {
    DisplayPtr d(XOpenDisplay(nullptr));
    if (!d) throw std::runtime_error("no X display (UI tests run under xvfb-run)");
    return d;
}

std::string ocr_tsv(const kiosk::RgbPicture& p) {
    const std::string png = scratch_dir() + "/screen.png";
    if (auto failed = kiosk::write_png(png, p)) throw std::runtime_error(*failed);
    // One thread: OpenMP spinning on a shared 2-core machine made each read four times slower.
    return run({"tesseract", png, "-", "--psm", "11", "tsv"}, {"OMP_THREAD_LIMIT=1"}).out;
}

// Starts an X server that picks a free display number itself and writes it to a pipe
// (-displayfd, after `argv`'s program name); points DISPLAY at it. Its pid.
pid_t start_x_server(std::vector<std::string> argv, std::string& previous_display) {
    if (const char* d = std::getenv("DISPLAY")) previous_display = d;
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    argv.insert(argv.begin() + 1, {"-displayfd", std::to_string(fds[1])});
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        std::vector<char*> args;
        for (std::string& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    std::string number;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') number += c;
    ::close(fds[0]);
    REQUIRE_FALSE(number.empty());
    ::setenv("DISPLAY", (":" + number).c_str(), 1);
    return pid;
}

void stop_x_server(pid_t pid, const std::string& previous_display) {
    if (pid > 0) {
        ::kill(pid, SIGTERM);
        int status = 0;
        ::waitpid(pid, &status, 0);
    }
    if (previous_display.empty()) ::unsetenv("DISPLAY");
    else ::setenv("DISPLAY", previous_display.c_str(), 1);
}

void xrandr(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"xrandr"};
    argv.insert(argv.end(), args.begin(), args.end());
    const RunResult r = run(argv);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
}

constexpr const char* kDummyConfig = R"(Section "Device"
  Identifier "dummy"
  Driver "dummy"
  VideoRam 256000
EndSection
Section "Monitor"
  Identifier "monitor"
  HorizSync 5.0-1000.0
  VertRefresh 5.0-200.0
EndSection
Section "Screen"
  Identifier "screen"
  Device "dummy"
  Monitor "monitor"
  DefaultDepth 24
  SubSection "Display"
    Depth 24
  EndSubSection
EndSection
)";
}  // namespace

OwnXServer::OwnXServer(int width, int height) {
    const std::string screen = std::to_string(width) + "x" + std::to_string(height) + "x24";
    pid_ = start_x_server({"Xvfb", "-screen", "0", screen, "-nolisten", "tcp"}, previous_display_);
}

OwnXServer::~OwnXServer() { stop_x_server(pid_, previous_display_); }

void OwnXServer::crash() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

OwnCourtroomXServer::OwnCourtroomXServer() {
    const std::string dir = scratch_dir();
    write_file(dir + "/xorg-dummy.conf", kDummyConfig);
    pid_ = start_x_server({"Xorg", "-config", dir + "/xorg-dummy.conf", "-logfile", dir + "/xorg.log", "-noreset",
                           "-nolisten", "tcp"},
                          previous_display_);
    xrandr({"--output", "DUMMY0", "--mode", "1920x1080"});
}

OwnCourtroomXServer::~OwnCourtroomXServer() { stop_x_server(pid_, previous_display_); }

// A real driver probes its outputs when a cable's hotplug event arrives, and the kiosk reads what
// that probe found; the dummy has no such events, so each change is followed by the probe (a plain
// query makes one).
void OwnCourtroomXServer::switch_off(const std::string& output) {
    xrandr({"--output", output, "--off"});
    xrandr({"--query"});
}

void OwnCourtroomXServer::switch_on(const std::string& output) {
    // An unplugged dummy output has no modes: it is given the console's.
    if (outputs_with_mode_.insert(output).second) xrandr({"--addmode", output, "1920x1080"});
    xrandr({"--output", output, "--mode", "1920x1080", "--right-of", "DUMMY0"});
    xrandr({"--query"});
}

kiosk::RgbPicture capture_screen() {
    DisplayPtr d = open_display();
    XWindowAttributes a{};
    XGetWindowAttributes(d.get(), DefaultRootWindow(d.get()), &a);
    return capture_area(0, 0, a.width, a.height);
}

kiosk::RgbPicture capture_area(int left, int top, int width, int height) {
    DisplayPtr d = open_display();
    const Window root = DefaultRootWindow(d.get());
    XImage* img = XGetImage(d.get(), root, left, top, unsigned(width), unsigned(height), AllPlanes, ZPixmap);
    if (!img) throw std::runtime_error("cannot read the X screen back");
    kiosk::RgbPicture out;
    out.width = width;
    out.height = height;
    out.pixels.resize(size_t(width) * height * 3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const unsigned long px = XGetPixel(img, x, y);
            uint8_t* o = &out.pixels[(size_t(y) * width + x) * 3];
            o[0] = uint8_t((px & img->red_mask) >> 16);
            o[1] = uint8_t((px & img->green_mask) >> 8);
            o[2] = uint8_t(px & img->blue_mask);
        }
    XDestroyImage(img);
    return out;
}

// Rows [top, top + height) of a picture.
kiosk::RgbPicture band(const kiosk::RgbPicture& p, int top, int height) {
    kiosk::RgbPicture out;
    out.width = p.width;
    out.height = std::min(height, p.height - top);
    const size_t row = size_t(p.width) * 3;
    out.pixels.assign(p.pixels.begin() + std::ptrdiff_t(row * top), p.pixels.begin() + std::ptrdiff_t(row * (top + out.height)));
    return out;
}

struct Word {
    std::string text;
    int x = 0, y = 0;  // its centre on the picture
};

// Every word tesseract reads, in overlapping bands: it takes a wide coloured banner for a picture
// and skips its text when it reads the whole screen at once.
std::vector<Word> read_words(const kiosk::RgbPicture& picture) {
    std::vector<Word> words;
    const int step = 240, height = 300;
    for (int top = 0; top < picture.height; top += step) {
        std::istringstream tsv(ocr_tsv(band(picture, top, height)));
        std::string line;
        while (std::getline(tsv, line)) {
            std::vector<std::string> f;
            std::istringstream cols(line);
            for (std::string c; std::getline(cols, c, '\t');) f.push_back(c);
            // level page block par line word left top width height conf text
            if (f.size() != 12 || f[11].empty() || f[0] == "level") continue;
            words.push_back({f[11], std::stoi(f[6]) + std::stoi(f[8]) / 2, top + std::stoi(f[7]) + std::stoi(f[9]) / 2});
        }
    }
    return words;
}

// The kiosk's white letters as black on white, everything else gone: tesseract reads white text
// on a coloured button this way, and misreads it in colour.
kiosk::RgbPicture white_text_only(const kiosk::RgbPicture& p) {
    kiosk::RgbPicture out = p;
    for (size_t i = 0; i + 2 < out.pixels.size(); i += 3) {
        const uint8_t v = std::min({p.pixels[i], p.pixels[i + 1], p.pixels[i + 2]}) > 170 ? 0 : 255;
        out.pixels[i] = out.pixels[i + 1] = out.pixels[i + 2] = v;
    }
    return out;
}

std::vector<Word> read_all_words(const kiosk::RgbPicture& picture) {
    std::vector<Word> words = read_words(white_text_only(picture));
    std::vector<Word> coloured = read_words(picture);
    words.insert(words.end(), coloured.begin(), coloured.end());
    return words;
}

std::string joined(const std::vector<Word>& words) {
    std::string text;
    for (const Word& w : words) text += w.text + " ";
    return text;
}

std::string read_picture_text(const kiosk::RgbPicture& picture) { return joined(read_all_words(picture)); }

bool picture_says(const kiosk::RgbPicture& picture, const std::string& part) {
    // The white letters alone first: most of the kiosk's text, read in half the time.
    return joined(read_words(white_text_only(picture))).find(part) != std::string::npos ||
           read_picture_text(picture).find(part) != std::string::npos;
}

std::string screen_text() { return read_picture_text(capture_screen()); }

std::optional<std::pair<int, int>> find_word(const std::string& word) {
    for (const Word& w : read_all_words(capture_screen()))
        if (w.text == word) return std::pair{w.x, w.y};
    return std::nullopt;
}

bool xdotool(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"xdotool"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv).exit_code == 0;
}

int ask_window_to_close(const std::string& name) {
    DisplayPtr d = open_display();
    const Atom protocols = XInternAtom(d.get(), "WM_PROTOCOLS", False);
    const Atom del = XInternAtom(d.get(), "WM_DELETE_WINDOW", False);
    Window root_ret, parent;
    Window* children = nullptr;
    unsigned int n = 0;
    int sent = 0;
    if (!XQueryTree(d.get(), DefaultRootWindow(d.get()), &root_ret, &parent, &children, &n)) return 0;
    for (unsigned int i = 0; i < n; ++i) {
        char* title = nullptr;
        if (XFetchName(d.get(), children[i], &title) && title) {
            if (name == title) {
                XEvent e{};
                e.xclient.type = ClientMessage;
                e.xclient.window = children[i];
                e.xclient.message_type = protocols;
                e.xclient.format = 32;
                e.xclient.data.l[0] = static_cast<long>(del);
                e.xclient.data.l[1] = CurrentTime;
                XSendEvent(d.get(), children[i], False, NoEventMask, &e);
                ++sent;
            }
            XFree(title);
        }
    }
    if (children) XFree(children);
    XFlush(d.get());
    return sent;
}

namespace {
// Reads `capture()` until `seen` finds what it looks for in it (at least three reads, until `limit`).
bool shows(const std::function<kiosk::RgbPicture()>& capture, const std::function<bool(const kiosk::RgbPicture&)>& seen,
           std::chrono::seconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    for (int reads = 1;; ++reads) {
        const kiosk::RgbPicture screen = capture();
        if (seen(screen)) return true;
        if (std::chrono::steady_clock::now() >= end && reads >= 3) {
            UNSCOPED_INFO("the screen reads: " << read_picture_text(screen));
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
}
}  // namespace

bool screen_shows(const std::function<bool(const kiosk::RgbPicture&)>& seen, std::chrono::seconds limit) {
    return shows(capture_screen, seen, limit);
}

bool screen_says(const std::string& part, std::chrono::seconds limit) {
    return screen_shows([&](const kiosk::RgbPicture& p) { return picture_says(p, part); }, limit);
}

bool area_says(int x, int y, int width, int height, const std::string& part, std::chrono::seconds limit) {
    return shows([&] { return capture_area(x, y, width, height); },
                 [&](const kiosk::RgbPicture& p) { return picture_says(p, part); }, limit);
}

}  // namespace courtplay::testing
