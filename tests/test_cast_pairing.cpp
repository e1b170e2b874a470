// Pairing a kiosk with a courtroom receiver (docs/cast.md, "Pairing"): the receiver's control
// channel and the kiosk's side of it, in one process over real TLS 1.3 on loopback, with
// certificates from the development CA that `courtplay-server init` makes.
#include "cast/paired_receiver.h"
#include "cast/receiver_control.h"
#include "server/certs.h"
#include "support/share_fixture.h"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

using namespace courtplay;
using namespace courtplay::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A development CA and a receiver certificate from it for `addresses`, in a folder of their own.
struct CourtCa {
    explicit CourtCa(const std::string& name, const std::vector<std::string>& addresses = {"localhost", "127.0.0.1"}) {
        dir = fs::path(scratch_dir()) / ("pairing-" + name);
        fs::remove_all(dir);
        fs::create_directories(dir / "ca");
        server::make_ca(dir / "ca" / "ca.pem", dir / "ca" / "ca.key", 30);
        server::issue_receiver_cert(dir, "Court 3 left screen", addresses, auth::unix_now() - 60,
                                    auth::unix_now() + 86400, dir / "receiver.pem", dir / "receiver.key");
    }
    fs::path ca() const { return dir / "ca" / "ca.pem"; }
    fs::path dir;
};

// What the receiver's app is told, kept for the test to wait on.
class Told final : public cast::ReceiverEvents {
public:
    void on_pairing_code(const std::string& code) override { note([&] { codes.push_back(code); }); }
    void on_cast_started(const cast::CastStart& c) override { note([&] { started.push_back(c); }); }
    void on_cast_ended(const std::string& why) override { note([&] { ended.push_back(why); }); }

    // Waits until `done` holds (under the lock); false after `limit`.
    template <class Pred>
    bool wait(Pred done, std::chrono::milliseconds limit = 10s) {
        std::unique_lock lock(lock_);
        return changed_.wait_for(lock, limit, done);
    }
    std::string code() {
        std::lock_guard lock(lock_);
        return codes.empty() ? "" : codes.back();
    }

    std::vector<std::string> codes, ended;
    std::vector<cast::CastStart> started;

private:
    template <class F>
    void note(F f) {
        {
            std::lock_guard lock(lock_);
            f();
        }
        changed_.notify_all();
    }
    std::mutex lock_;
    std::condition_variable changed_;
};

// A receiver's control channel on a thread, stopped and joined at the end.
struct Receiver {
    Receiver(const CourtCa& ca, std::chrono::milliseconds silence = 5000ms)
        : control({{"127.0.0.1", port}, ca.dir / "receiver.pem", ca.dir / "receiver.key", "Court 3 left", silence, 200ms},
                  told),
          thread([this] { control.run(); }) {
        REQUIRE(told.wait([&] { return !told.codes.empty(); }));
    }
    ~Receiver() {
        control.stop();
        thread.join();
    }
    cast::PairingRequest request(const CourtCa& ca, const std::string& code, const std::string& host = "127.0.0.1") {
        return {{host, port}, code, ca.ca(), "Reference Crown Court, Court 3 (kiosk-3)", "DEFENCE", std::time(nullptr) + 3600};
    }
    int port = free_port();
    Told told;
    cast::ReceiverControl control;
    std::thread thread;
};

std::string refusal_of(const cast::PairingRequest& r) {
    try {
        cast::PairedReceiver paired(r);
    } catch (const cast::PairingRefused& e) {
        return e.reason;
    }
    return "paired";
}

}  // namespace

TEST_CASE("The code on the screen pairs and the receiver gets the kiosk's own fresh stream key") {
    CourtCa ca("right-code");
    Receiver rx(ca);
    const std::string first = rx.told.code();
    REQUIRE(first.size() == 6);
    cast::PairedReceiver paired(rx.request(ca, first.substr(0, 3) + " " + first.substr(3)));
    REQUIRE(rx.told.wait([&] { return !rx.told.started.empty(); }));
    CHECK(rx.told.started[0].key == paired.key());
    CHECK(rx.told.started[0].kiosk == "Reference Crown Court, Court 3 (kiosk-3)");
    CHECK(rx.told.started[0].party == "DEFENCE");
    CHECK(paired.name() == "Court 3 left");
    CHECK(paired.certified_as() == "Court 3 left screen");
    CHECK_FALSE(paired.ended());

    paired.end();
    REQUIRE(rx.told.wait([&] { return !rx.told.ended.empty(); }));
    CHECK(rx.told.ended[0] == "the kiosk ended the cast");
    // Used once: the screen shows a new code, and the old one no longer pairs.
    REQUIRE(rx.told.wait([&] { return rx.told.codes.size() == 2; }));
    CHECK(rx.told.codes[1] != first);
    CHECK(refusal_of(rx.request(ca, first)) == "wrong_code");
    // Each pairing has its own key.
    cast::PairedReceiver again(rx.request(ca, rx.told.code()));
    CHECK_FALSE(again.key() == paired.key());
}

TEST_CASE("A wrong pairing code is refused and the screen shows a new code") {
    CourtCa ca("wrong-code");
    Receiver rx(ca);
    const std::string shown = rx.told.code();
    const std::string wrong = shown == "000000" ? "000001" : "000000";
    try {
        cast::PairedReceiver paired(rx.request(ca, wrong));
        FAIL("a wrong code paired");
    } catch (const cast::PairingRefused& e) {
        CHECK(e.reason == "wrong_code");
        CHECK_THAT(e.what(), Catch::Contains("not the code on that screen now"));
    }
    REQUIRE(rx.told.wait([&] { return rx.told.codes.size() == 2; }));
    CHECK(rx.told.started.empty());
    // The code shown before the wrong try is spent too: every try is against a fresh code.
    CHECK(refusal_of(rx.request(ca, shown)) == "wrong_code");
    CHECK(refusal_of(rx.request(ca, "12345")) == "wrong_code");  // not six digits: refused before asking
}

TEST_CASE("A second kiosk cannot take over a screen that is showing a cast") {
    CourtCa ca("busy");
    Receiver rx(ca);
    cast::PairedReceiver first(rx.request(ca, rx.told.code()));
    REQUIRE(rx.told.wait([&] { return rx.told.started.size() == 1; }));
    for (const std::string& code : {std::string("000000"), rx.told.code()}) CHECK(refusal_of(rx.request(ca, code)) == "busy");
    CHECK(rx.told.ended.empty());
    CHECK(rx.told.started.size() == 1);
    std::this_thread::sleep_for(1500ms);  // the first kiosk's keep-alives still arrive
    CHECK_FALSE(first.ended());
}

TEST_CASE("A receiver whose certificate is not from the court CA, or not for its address, is refused") {
    CourtCa court("court-ca");
    CourtCa other("other-ca");
    SECTION("another CA") {
        Receiver rx(other);
        CHECK_THROWS_WITH(cast::PairedReceiver(rx.request(court, rx.told.code())),
                          Catch::Contains("did not prove it is one of this court's screens"));
        CHECK(rx.told.started.empty());
    }
    SECTION("the court's CA, another address") {
        CourtCa elsewhere("elsewhere", {"court3-left.example"});
        Receiver rx(elsewhere);
        CHECK_THROWS_WITH(cast::PairedReceiver(rx.request(elsewhere, rx.told.code())),
                          Catch::Contains("for the address 127.0.0.1"));
        CHECK(rx.told.started.empty());
    }
}

TEST_CASE("The receiver ends the cast when the kiosk goes away or falls silent") {
    CourtCa ca("kiosk-gone");
    SECTION("the connection drops without a word (a kiosk killed)") {
        Receiver rx(ca);
        auto link = cast::connect_tls({"127.0.0.1", rx.port}, ca.ca(), 5000ms);
        link->send_line(cast::pair_line({rx.told.code(), "kiosk", "CPS", std::time(nullptr) + 3600}));
        REQUIRE(link->receive_line(5000ms));  // paired
        link->send_line(cast::key_line(cast::StreamKey::generate()));
        REQUIRE(link->receive_line(5000ms));  // ready
        REQUIRE(rx.told.started.size() == 1);
        link.reset();
        REQUIRE(rx.told.wait([&] { return !rx.told.ended.empty(); }, 3000ms));
        CHECK_THAT(rx.told.ended[0], Catch::Contains("the kiosk went away"));
    }
    SECTION("connected but silent") {
        Receiver rx(ca, 400ms);
        auto link = cast::connect_tls({"127.0.0.1", rx.port}, ca.ca(), 5000ms);
        link->send_line(cast::pair_line({rx.told.code(), "kiosk", "CPS", std::time(nullptr) + 3600}));
        REQUIRE(link->receive_line(5000ms));
        link->send_line(cast::key_line(cast::StreamKey::generate()));
        REQUIRE(link->receive_line(5000ms));
        REQUIRE(rx.told.wait([&] { return !rx.told.ended.empty(); }, 5000ms));
        CHECK(rx.told.ended[0] == "the kiosk stopped answering");
        const std::optional<std::string> said = link->receive_line(1000ms);
        REQUIRE(said);
        CHECK(cast::parse_message(*said).type == cast::ControlMessage::Type::ended);
    }
}

TEST_CASE("The receiver ends the cast when the grant's time is up, and the kiosk hears why") {
    CourtCa ca("expiry");
    Receiver rx(ca);
    cast::PairingRequest r = rx.request(ca, rx.told.code());
    r.expires_at = std::time(nullptr) + 1;
    cast::PairedReceiver paired(r);
    REQUIRE(rx.told.wait([&] { return !rx.told.ended.empty(); }, 5000ms));
    CHECK(rx.told.ended[0] == "the share's time is up");
    for (int i = 0; i < 40 && !paired.ended(); ++i) std::this_thread::sleep_for(100ms);
    CHECK(paired.ended().value_or("(not ended)") == "the share's time is up");
}

TEST_CASE("A receiver tells court IT its name and whether it is casting, and its code stays") {
    CourtCa ca("status");
    Receiver rx(ca);
    cast::ReceiverStatus idle = cast::ask_receiver_status({"127.0.0.1", rx.port}, ca.ca());
    CHECK(idle.name == "Court 3 left");
    CHECK(idle.certified_as == "Court 3 left screen");
    CHECK_FALSE(idle.casting);
    cast::PairedReceiver paired(rx.request(ca, rx.told.code()));  // the code shown before still pairs
    CHECK(cast::ask_receiver_status({"127.0.0.1", rx.port}, ca.ca()).casting);
    CHECK(rx.told.codes.size() == 1);
    CourtCa other("status-other");
    CHECK_THROWS_WITH(cast::ask_receiver_status({"127.0.0.1", rx.port}, other.ca()),
                      Catch::Contains("did not prove it is one of this court's screens"));
}

TEST_CASE("Control messages that are not what they claim are refused") {
    using cast::parse_message;
    for (const char* bad : {"", "[]", "{}", "{\"type\":\"launch\"}", "{\"type\":\"key\",\"stream_key\":\"abc\"}",
                            "{\"type\":\"pair\",\"version\":2,\"code\":\"1\",\"kiosk\":\"k\",\"party\":\"p\",\"expires_at\":5}",
                            "{\"type\":\"pair\",\"version\":1,\"code\":\"1\",\"kiosk\":\"k\\u0007\",\"party\":\"p\",\"expires_at\":5}",
                            "{\"type\":\"paired\"}", "not json"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_message(bad), cast::CastError);
    }
    const cast::StreamKey key = cast::StreamKey::generate();
    CHECK(parse_message(cast::key_line(key)).key == key);
    const cast::ControlMessage pair = parse_message(cast::pair_line({"123456", "kiosk-1", "CPS", 1900000000}));
    CHECK(pair.pair.code == "123456");
    CHECK(pair.pair.expires_at == 1900000000);
    CHECK(cast::normalize_pairing_code("123-456") == std::optional<std::string>("123456"));
    CHECK_FALSE(cast::normalize_pairing_code("12a456"));
    CHECK_FALSE(cast::normalize_pairing_code("1234567"));
}
