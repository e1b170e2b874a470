#include "support/x_screen.h"

#include "support/testing.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <sstream>
#include <stdexcept>
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
    return run({"tesseract", png, "-", "--psm", "11", "tsv"}).out;
}
}  // namespace

OwnXServer::OwnXServer() {
    if (const char* d = std::getenv("DISPLAY")) previous_display_ = d;
    // Xvfb picks a free display number itself and writes it to the pipe (-displayfd).
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
        ::close(fds[0]);
        const std::string fd = std::to_string(fds[1]);
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        ::execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-screen", "0", "1920x1080x24", "-nolisten", "tcp",
                 static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[1]);
    std::string number;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') number += c;
    ::close(fds[0]);
    REQUIRE_FALSE(number.empty());
    ::setenv("DISPLAY", (":" + number).c_str(), 1);
}

OwnXServer::~OwnXServer() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    if (previous_display_.empty()) ::unsetenv("DISPLAY");
    else ::setenv("DISPLAY", previous_display_.c_str(), 1);
}

kiosk::RgbPicture capture_screen() {
    DisplayPtr d = open_display();
    const Window root = DefaultRootWindow(d.get());
    XWindowAttributes a{};
    XGetWindowAttributes(d.get(), root, &a);
    XImage* img = XGetImage(d.get(), root, 0, 0, a.width, a.height, AllPlanes, ZPixmap);
    if (!img) throw std::runtime_error("cannot read the X screen back");
    kiosk::RgbPicture out;
    out.width = a.width;
    out.height = a.height;
    out.pixels.resize(size_t(a.width) * a.height * 3);
    for (int y = 0; y < a.height; ++y)
        for (int x = 0; x < a.width; ++x) {
            const unsigned long px = XGetPixel(img, x, y);
            uint8_t* o = &out.pixels[(size_t(y) * a.width + x) * 3];
            o[0] = uint8_t((px & img->red_mask) >> 16);
            o[1] = uint8_t((px & img->green_mask) >> 8);
            o[2] = uint8_t(px & img->blue_mask);
        }
    XDestroyImage(img);
    return out;
}

std::string read_picture_text(const kiosk::RgbPicture& picture) {
    std::istringstream tsv(ocr_tsv(picture));
    std::string line, text;
    while (std::getline(tsv, line)) {
        const size_t tab = line.rfind('\t');
        if (tab == std::string::npos) continue;
        const std::string word = line.substr(tab + 1);
        if (!word.empty() && word != "text") text += word + " ";
    }
    return text;
}

std::string screen_text() { return read_picture_text(capture_screen()); }

std::optional<std::pair<int, int>> find_word(const std::string& word) {
    std::istringstream tsv(ocr_tsv(capture_screen()));
    std::string line;
    while (std::getline(tsv, line)) {
        std::vector<std::string> f;
        std::istringstream cols(line);
        for (std::string c; std::getline(cols, c, '\t');) f.push_back(c);
        // level page block par line word left top width height conf text
        if (f.size() == 12 && f[11] == word)
            return std::pair{std::stoi(f[6]) + std::stoi(f[8]) / 2, std::stoi(f[7]) + std::stoi(f[9]) / 2};
    }
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

}  // namespace courtplay::testing
