#include "kiosk/tied_child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace courtplay::kiosk {
namespace {

void say(int fd, const char* text) {
    if (fd >= 0) (void)!::write(fd, text, std::strlen(text));
}

}  // namespace

pid_t spawn_tied(const std::vector<std::string>& args, const std::filesystem::path& out,
                 const std::filesystem::path& err) {
    if (args.empty()) throw std::invalid_argument("spawn_tied: no program");
    // Everything the child needs is made before fork: after it, other threads' locks (malloc's
    // among them) may be held forever, so the child only makes system calls until exec.
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const std::string out_path = out.string(), err_path = err.string();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("cannot start ") + args[0] + ": " + std::strerror(errno));
    if (pid > 0) return pid;

    const int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (o < 0 || e < 0 || ::dup2(o, 1) < 0 || ::dup2(e, 2) < 0) {
        say(e, "cannot open the files for its output\n");
        ::_exit(127);
    }
    // The kiosk may already have ended between fork and prctl: then nothing would stop this one.
    if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || ::getppid() != parent) ::_exit(127);
    ::execvp(argv[0], argv.data());
    say(2, "cannot start it: ");
    say(2, argv[0]);
    say(2, errno == ENOENT ? ": not found (is the courtplay-server package installed?)\n" : ": exec failed\n");
    ::_exit(127);
}

}  // namespace courtplay::kiosk
