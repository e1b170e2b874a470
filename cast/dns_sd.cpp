#include "cast/dns_sd.h"

#include "cast/stream_format.h"

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/simple-watch.h>
#include <avahi-common/thread-watch.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <tuple>

namespace courtplay::cast {

// Everything avahi's thread touches; its callbacks run on that thread.
struct ReceiverAnnouncement::State {
    std::string name;
    uint16_t port = 0;
    AvahiThreadedPoll* poll = nullptr;
    AvahiClient* client = nullptr;
    AvahiEntryGroup* group = nullptr;
    mutable std::mutex lock;  // guards problem
    std::optional<std::string> problem;

    void fail(const std::string& why) {
        std::lock_guard guard(lock);
        problem = why;
    }
    void publish();
};

namespace {

void on_group(AvahiEntryGroup* group, AvahiEntryGroupState state, void* data) {
    auto* s = static_cast<ReceiverAnnouncement::State*>(data);
    s->group = group;
    if (state == AVAHI_ENTRY_GROUP_COLLISION) {
        // Another screen has the name: take "name #2" and announce again.
        char* other = avahi_alternative_service_name(s->name.c_str());
        s->name = other;
        avahi_free(other);
        avahi_entry_group_reset(group);
        s->publish();
    } else if (state == AVAHI_ENTRY_GROUP_ESTABLISHED) {
        std::lock_guard guard(s->lock);
        s->problem.reset();  // a daemon that came later
    } else if (state == AVAHI_ENTRY_GROUP_FAILURE) {
        s->fail(std::string("avahi could not announce it: ") + avahi_strerror(avahi_client_errno(avahi_entry_group_get_client(group))));
    }
}

void on_client(AvahiClient* client, AvahiClientState state, void* data) {
    auto* s = static_cast<ReceiverAnnouncement::State*>(data);
    s->client = client;
    if (state == AVAHI_CLIENT_S_RUNNING) {
        if (!s->group) s->publish();
    } else if (state == AVAHI_CLIENT_S_COLLISION || state == AVAHI_CLIENT_S_REGISTERING) {
        if (s->group) avahi_entry_group_reset(s->group);  // announced again once the host name settles
    } else if (state == AVAHI_CLIENT_FAILURE) {
        s->fail(std::string("avahi-daemon went away: ") + avahi_strerror(avahi_client_errno(client)));
    }
}

}  // namespace

void ReceiverAnnouncement::State::publish() {
    if (!group && !(group = avahi_entry_group_new(client, on_group, this))) {
        fail(std::string("avahi could not make an announcement: ") + avahi_strerror(avahi_client_errno(client)));
        return;
    }
    int added = AVAHI_ERR_COLLISION;
    // A screen on this same machine with the name already (two receivers, or a test's) is refused
    // at once rather than reported later: take "name #2" (#3 ...) then too.
    for (int tries = 0; added == AVAHI_ERR_COLLISION && tries < 20; ++tries) {
        added = avahi_entry_group_add_service(group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, AvahiPublishFlags(0),
                                              name.c_str(), kReceiverServiceType, nullptr, nullptr, port, "v=1", nullptr);
        if (added == AVAHI_ERR_COLLISION) {
            char* other = avahi_alternative_service_name(name.c_str());
            name = other;
            avahi_free(other);
            avahi_entry_group_reset(group);
        }
    }
    if (added < 0)
        fail(std::string("avahi could not announce it: ") + avahi_strerror(added));
    else if (avahi_entry_group_commit(group) < 0)
        fail(std::string("avahi could not announce it: ") + avahi_strerror(avahi_client_errno(client)));
}

ReceiverAnnouncement::ReceiverAnnouncement(const std::string& name, int port) : state_(std::make_unique<State>()) {
    state_->name = name;
    state_->port = static_cast<uint16_t>(port);
    if (!(state_->poll = avahi_threaded_poll_new())) {
        state_->fail("avahi could not start");
        return;
    }
    int error = 0;
    // NO_FAIL: a daemon that starts later (or restarts) is picked up then.
    avahi_threaded_poll_lock(state_->poll);
    state_->client = avahi_client_new(avahi_threaded_poll_get(state_->poll), AVAHI_CLIENT_NO_FAIL, on_client,
                                      state_.get(), &error);
    avahi_threaded_poll_unlock(state_->poll);
    if (!state_->client) {
        state_->fail(std::string("avahi: ") + avahi_strerror(error));
        return;
    }
    if (avahi_client_get_state(state_->client) == AVAHI_CLIENT_CONNECTING)
        state_->fail("avahi-daemon is not running (the receiver is announced once it is)");
    avahi_threaded_poll_start(state_->poll);
}

ReceiverAnnouncement::~ReceiverAnnouncement() {
    if (!state_->poll) return;
    avahi_threaded_poll_stop(state_->poll);
    if (state_->client) avahi_client_free(state_->client);  // frees the entry group too: withdrawn
    avahi_threaded_poll_free(state_->poll);
}

std::optional<std::string> ReceiverAnnouncement::problem() const {
    std::lock_guard guard(state_->lock);
    return state_->problem;
}

namespace {

struct Search {
    AvahiSimplePoll* poll = nullptr;
    AvahiClient* client = nullptr;
    int resolving = 0;
    bool listed_all = false;
    std::set<std::tuple<std::string, std::string, int>> seen;  // name, address, port
    std::vector<FoundReceiver> found;
};

void on_resolved(AvahiServiceResolver* r, AvahiIfIndex, AvahiProtocol, AvahiResolverEvent event, const char* name,
                 const char*, const char*, const char* host, const AvahiAddress* address, uint16_t port,
                 AvahiStringList*, AvahiLookupResultFlags, void* data) {
    auto* s = static_cast<Search*>(data);
    if (event == AVAHI_RESOLVER_FOUND && address) {
        char text[AVAHI_ADDRESS_STR_MAX];
        avahi_address_snprint(text, sizeof text, address);
        if (s->seen.emplace(name, text, port).second) s->found.push_back({name, host ? host : "", text, port});
    }
    --s->resolving;
    avahi_service_resolver_free(r);
}

void on_browsed(AvahiServiceBrowser*, AvahiIfIndex interface, AvahiProtocol protocol, AvahiBrowserEvent event,
                const char* name, const char* type, const char* domain, AvahiLookupResultFlags, void* data) {
    auto* s = static_cast<Search*>(data);
    if (event == AVAHI_BROWSER_NEW) {
        if (avahi_service_resolver_new(s->client, interface, protocol, name, type, domain, AVAHI_PROTO_UNSPEC,
                                       AvahiLookupFlags(0), on_resolved, s))
            ++s->resolving;
    } else if (event == AVAHI_BROWSER_ALL_FOR_NOW || event == AVAHI_BROWSER_FAILURE) {
        s->listed_all = true;
    }
}

}  // namespace

std::vector<FoundReceiver> find_receivers(std::chrono::milliseconds wait) {
    Search s;
    std::unique_ptr<AvahiSimplePoll, decltype(&avahi_simple_poll_free)> poll(avahi_simple_poll_new(), &avahi_simple_poll_free);
    if (!poll) throw CastError("avahi could not start");
    s.poll = poll.get();
    int error = 0;
    std::unique_ptr<AvahiClient, decltype(&avahi_client_free)> client(
        avahi_client_new(avahi_simple_poll_get(poll.get()), AvahiClientFlags(0), nullptr, nullptr, &error), &avahi_client_free);
    if (!client)
        throw CastError(std::string("cannot look for receivers on the network (") + avahi_strerror(error) +
                        "): DNS-SD needs avahi-daemon running on this computer");
    s.client = client.get();
    AvahiServiceBrowser* browser = avahi_service_browser_new(client.get(), AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                             kReceiverServiceType, nullptr, AvahiLookupFlags(0), on_browsed, &s);
    if (!browser)
        throw CastError(std::string("cannot look for receivers: ") + avahi_strerror(avahi_client_errno(client.get())));
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (!(s.listed_all && s.resolving == 0)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        // At least every 100 ms, to look at the deadline.
        if (avahi_simple_poll_iterate(poll.get(), static_cast<int>(std::min<int64_t>(left.count(), 100))) != 0) break;
    }
    avahi_service_browser_free(browser);  // before the client and poll go (their unique_ptrs)
    std::sort(s.found.begin(), s.found.end(), [](const FoundReceiver& a, const FoundReceiver& b) {
        return std::tie(a.name, a.address, a.port) < std::tie(b.name, b.address, b.port);
    });
    return s.found;
}

}  // namespace courtplay::cast
