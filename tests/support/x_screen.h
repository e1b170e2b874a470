// The X server the UI tests run on (Xvfb, from scripts/test): what it shows, read back from the
// server itself (not from the app), real input through xdotool, and what a window manager would
// send to close a window. Text is read back with tesseract.
#pragma once

#include "kiosk/presented_dump.h"

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>

namespace courtplay::testing {

// An X server of the test's own (Xvfb, 1920x1080 unless told), so that UI tests running side by
// side never type into or read each other's windows. DISPLAY points at it while it lives.
class OwnXServer {
public:
    explicit OwnXServer(int width = 1920, int height = 1080);
    ~OwnXServer();
    OwnXServer(const OwnXServer&) = delete;
    OwnXServer& operator=(const OwnXServer&) = delete;
    void crash();  // SIGKILL: the X server goes away under whatever is drawing on it

private:
    pid_t pid_ = -1;
    std::string previous_display_;
};

// A courtroom kiosk's X server: Xorg with the dummy driver, whose RandR outputs (DUMMY0 ...
// DUMMY15) can be switched on and off as real HDMI outputs are. DUMMY0 is the console
// (1920x1080); the others start unplugged. The dummy has no cables: an output counts as plugged
// in from the first time it is switched on, and stays so, dark, when switched off. DISPLAY points
// at it while it lives.
class OwnCourtroomXServer {
public:
    OwnCourtroomXServer();
    ~OwnCourtroomXServer();
    OwnCourtroomXServer(const OwnCourtroomXServer&) = delete;
    OwnCourtroomXServer& operator=(const OwnCourtroomXServer&) = delete;

    void switch_off(const std::string& output);
    void switch_on(const std::string& output);  // 1920x1080, to the right of the console

private:
    pid_t pid_ = -1;
    std::string previous_display_;
    std::set<std::string> outputs_with_mode_;
};

// The whole screen as the X server has it.
kiosk::RgbPicture capture_screen();
// A part of it: x, y, width, height.
kiosk::RgbPicture capture_area(int x, int y, int width, int height);
// Everything tesseract reads on the screen (or a picture), as one string.
std::string screen_text();
std::string read_picture_text(const kiosk::RgbPicture& picture);
// Whether tesseract reads `part` in the picture (the quicker white-letters pass first).
bool picture_says(const kiosk::RgbPicture& picture, const std::string& part);
// Waits until tesseract reads `part` on the screen (drawing follows a log line by a frame). On a
// loaded machine one reading can take longer than the limit: it reads at least three times, so a
// screen captured just before the app drew is read again. Says what it read when it gives up.
bool screen_says(const std::string& part, std::chrono::seconds limit = std::chrono::seconds(10));
// The same with a test of one's own on each capture (e.g. text read with its spaces ignored).
bool screen_shows(const std::function<bool(const kiosk::RgbPicture&)>& seen,
                  std::chrono::seconds limit = std::chrono::seconds(10));
// The same for a part of the screen (x, y, width, height): one screen of several.
bool area_says(int x, int y, int width, int height, const std::string& part,
               std::chrono::seconds limit = std::chrono::seconds(10));
// Where tesseract finds `word` on the screen (the centre of the first match), to click on it.
std::optional<std::pair<int, int>> find_word(const std::string& word);
// xdotool with these arguments ("key", "F2"; "type", "--delay", "20", "ABC"); true when it ran.
bool xdotool(const std::vector<std::string>& args);
// Sends WM_DELETE_WINDOW to every top-level window named `name`, as a window manager's close
// button does. The number of windows it was sent to.
int ask_window_to_close(const std::string& name);

}  // namespace courtplay::testing
