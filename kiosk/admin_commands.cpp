#include "kiosk/admin_commands.h"

#include "auth/pin_hash.h"
#include "kiosk/exit_codes.h"

#include <openssl/crypto.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>

namespace courtplay::kiosk {
namespace {

// Far longer than a PIN: a longer line is refused as "not 6 to 12 digits" without being kept.
constexpr size_t max_line = 64;

// The terminal's settings while echo is off, so that Ctrl-C or a kill still gives the court's
// IT their terminal back with echo on. Written before the handlers are installed, read only by them.
struct termios saved_terminal;
volatile std::sig_atomic_t echo_is_off = 0;
constexpr int restoring_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

extern "C" void restore_and_reraise(int sig) {
    if (echo_is_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

// Echo off on the terminal for its lifetime; nothing when stdin is not a terminal.
class NoEcho {
public:
    NoEcho() {
        if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_terminal) != 0) return;
        for (int sig : restoring_signals) std::signal(sig, restore_and_reraise);
        struct termios quiet = saved_terminal;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        quiet.c_lflag |= ECHONL;  // Enter still moves to the next line
        echo_is_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    ~NoEcho() {
        if (echo_is_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
        echo_is_off = 0;
    }
    NoEcho(const NoEcho&) = delete;
    NoEcho& operator=(const NoEcho&) = delete;
};

// A PIN, wiped from memory when it goes.
struct Secret {
    std::string text;
    bool too_long = false;
    Secret() { text.reserve(max_line); }  // never reallocated, so no copy is left behind
    ~Secret() { OPENSSL_cleanse(text.data(), text.size()); }
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
};

// One line from stdin without its "\n" (or "\r\n"); false at end of input before any character.
bool read_line(Secret& line) {
    int c = 0;
    bool any = false;
    while ((c = std::getchar()) != EOF && c != '\n') {
        any = true;
        if (line.text.size() < max_line)
            line.text.push_back(char(c));
        else
            line.too_long = true;
    }
    if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
    return any || c == '\n';
}

// What is wrong with a typed PIN, without repeating it.
std::optional<std::string> pin_problem(const Secret& pin) {
    if (!pin.too_long && auth::is_valid_pin(pin.text)) return std::nullopt;
    if (pin.text.empty()) return "the PIN is empty";
    if (pin.text.find_first_not_of("0123456789") != std::string::npos)
        return "the PIN typed has a character that is not a digit 0-9";
    return "the PIN typed has " + (pin.too_long ? "more than " + std::to_string(max_line)
                                                : std::to_string(pin.text.size())) +
           " digits";
}

int refuse(const std::string& why) {
    std::fprintf(stderr, "courtplay: %s; no PIN hash was made. A PIN is 6 to 12 digits, typed twice.\n", why.c_str());
    return exit_code::bad_arguments;
}

}  // namespace

int run_admin_pin_hash() {
    const bool terminal = isatty(STDIN_FILENO);
    Secret first, second;
    {
        NoEcho no_echo;
        if (terminal) std::fprintf(stderr, "New admin PIN (6 to 12 digits): ");
        if (!read_line(first)) return refuse("no PIN was given");
        if (auto problem = pin_problem(first)) return refuse(*problem);
        if (terminal) std::fprintf(stderr, "The same PIN again: ");
        if (!read_line(second)) return refuse("the PIN was given only once");
    }
    if (first.too_long != second.too_long || first.text != second.text) return refuse("the two PINs differ");

    std::string hash;
    try {
        hash = auth::make_pin_hash(first.text);
    } catch (const std::exception& e) {  // the PIN was checked: this is OpenSSL failing
        std::fprintf(stderr, "courtplay: cannot make the PIN hash: %s\n", e.what());
        return exit_code::other;
    }
    std::printf("pin_hash = \"%s\"\n", hash.c_str());
    std::fflush(stdout);
    std::fprintf(stderr, "courtplay: put this line under [admin] in the kiosk's kiosk.toml, in place of any "
                         "pin_hash there, and restart the kiosk.\n");
    return exit_code::ok;
}

}  // namespace courtplay::kiosk
