// `courtplay-server serve`: the service in the foreground until SIGTERM or SIGINT.
#include "server/commands.h"

#include "files/thread_name.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <thread>

namespace courtplay::server {

void run_serve(const ServiceOptions& o) {
    // The signals are taken by one thread with sigtimedwait instead of a handler: stopping the
    // server from a handler is not async-signal-safe. Blocked before any thread starts, so every
    // thread (httplib's workers included) inherits the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    Service service(o);
    service.bind();
    std::fprintf(stderr, "courtplay-server: listening on %s\n", service.listen_url().c_str());

    std::atomic<bool> ended{false};
    std::thread watcher([&] {
        files::name_this_thread("serve-watch");
        const timespec tick{0, 200 * 1000 * 1000};
        while (!ended) {
            const int sig = sigtimedwait(&signals, nullptr, &tick);
            if (sig < 0) continue;  // timeout or EINTR: look at `ended` again
            std::fprintf(stderr, "courtplay-server: %s, stopping\n", strsignal(sig));
            service.stop();
            return;
        }
    });
    service.run();
    ended = true;
    watcher.join();
    std::fprintf(stderr, "courtplay-server: stopped\n");
}

}  // namespace courtplay::server
