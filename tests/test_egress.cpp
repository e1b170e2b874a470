// The kiosk OS image's egress allow-list and time servers, as courtplay makes them from kiosk.toml.
#include "kiosk/egress_rules.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace courtplay::kiosk;
using courtplay::config::KioskConfig;

namespace {
KioskConfig config_with(const std::string& url, std::vector<std::string> ntp) {
    KioskConfig c;
    c.file = "/etc/courtplay/kiosk.toml";
    c.service.url = url;
    c.time.ntp_servers = std::move(ntp);
    return c;
}
}  // namespace

TEST_CASE("egress: the destinations are the service (shares and audit) and the NTP servers", "[egress]") {
    auto d = egress_destinations(config_with("https://shares.court.example:8443", {"ntp1.court.example", "10.20.0.1"}));
    REQUIRE(d.size() == 3);
    CHECK(d[0].what == "share and audit service");
    CHECK(d[0].host == "shares.court.example");
    CHECK(d[0].port == 8443);
    CHECK(d[0].protocol == "tcp");
    CHECK(d[1].host == "ntp1.court.example");
    CHECK(d[1].port == 123);
    CHECK(d[1].protocol == "udp");
    CHECK(d[2].host == "10.20.0.1");

    auto v6 = egress_destinations(config_with("https://[fd00::5]", {}));
    REQUIRE(v6.size() == 1);
    CHECK(v6[0].host == "fd00::5");
    CHECK(v6[0].port == 443);
    CHECK(egress_destinations(config_with("https://[fd00::5]:9443", {}))[0].port == 9443);
    CHECK(egress_destinations(config_with("https://10.0.0.5", {}))[0].host == "10.0.0.5");
}

TEST_CASE("egress: each courtroom receiver is reached on its port by TCP (pairing) and UDP (the stream)", "[egress]") {
    KioskConfig c = config_with("https://shares.court.example", {});
    c.cast.receivers = {"192.0.2.10:7700", "[fd00::7]:7701"};
    const auto d = egress_destinations(c);
    REQUIRE(d.size() == 5);
    CHECK(d[1].what == "courtroom receiver 192.0.2.10:7700 (pairing)");
    CHECK(d[1].host == "192.0.2.10");
    CHECK(d[1].port == 7700);
    CHECK(d[1].protocol == "tcp");
    CHECK(d[2].protocol == "udp");
    CHECK(d[2].port == 7700);
    CHECK(d[3].host == "fd00::7");
    CHECK(d[3].port == 7701);
    const std::string rules = egress_ruleset(c.file.string(), {{d[2], {"192.0.2.10"}}}, {});
    CHECK(rules.find("udp dport 7700") != std::string::npos);

    // Finding them on the network: mDNS's groups, then each one found at the address it announced.
    c.cast.find_receivers = true;
    const auto with_mdns = egress_destinations(c);
    REQUIRE(with_mdns.size() == 7);
    CHECK(with_mdns[5].host == "224.0.0.251");
    CHECK(with_mdns[6].host == "ff02::fb");
    CHECK(with_mdns[6].port == 5353);
    CHECK(with_mdns[6].protocol == "udp");
    const auto found = found_receiver_destinations({{"Court 3 left", "court3-left.local", "192.0.2.30", 7702}});
    REQUIRE(found.size() == 2);
    CHECK(found[0].destination.protocol == "tcp");
    CHECK(found[1].destination.protocol == "udp");
    CHECK(found[1].addresses == std::vector<std::string>{"192.0.2.30"});
    const std::string found_rules =
        egress_ruleset(c.file.string(), {{with_mdns[6], {"ff02::fb"}}, found[0], found[1]}, {});
    CHECK_THAT(found_rules, Catch::Contains("ip6 daddr ff02::fb udp dport 5353 accept"));
    CHECK_THAT(found_rules, Catch::Contains("ip daddr 192.0.2.30 tcp dport 7702 accept comment \"courtroom receiver "
                                            "Court 3 left (court3-left.local) found on the network (pairing) 192.0.2.30\""));
    CHECK_THAT(found_rules, !Catch::Contains("dport 53 "));  // addresses: no DNS for them
    // A name announced on the network is somebody else's words: it cannot end the comment.
    const auto sly = found_receiver_destinations({{"x\" accept\nip daddr 0.0.0.0/0 accept comment \"", "h.local", "192.0.2.31", 7700}});
    const std::string sly_rules = egress_ruleset(c.file.string(), {sly[0]}, {});
    CHECK_THAT(sly_rules, Catch::Contains("comment \"courtroom receiver x? accept?ip daddr 0.0.0.0/0 accept comment ? (h.local)"));
    CHECK_THAT(sly_rules, !Catch::Contains("\nip daddr 0.0.0.0/0"));
    CHECK_THAT(found_rules, Catch::Contains("ip daddr 192.0.2.30 udp dport 7702 accept"));
}

TEST_CASE("egress: the ruleset drops everything else, and opens DNS only for names", "[egress]") {
    const auto destinations = egress_destinations(config_with("https://shares.court.example:8443", {"10.20.0.1"}));
    const std::vector<ResolvedDestination> resolved = {{destinations[0], {"10.0.0.5", "fd00::5"}},
                                                       {destinations[1], {"10.20.0.1"}}};
    const std::string rules = egress_ruleset("/etc/courtplay/kiosk.toml", resolved, {"10.0.0.53"});
    CHECK_THAT(rules, Catch::Contains("type filter hook output priority filter; policy drop;"));
    CHECK_THAT(rules, Catch::Contains("ip daddr 10.0.0.5 tcp dport 8443 accept comment \"share and audit service "
                                      "shares.court.example (10.0.0.5)\""));
    CHECK_THAT(rules, Catch::Contains("ip6 daddr fd00::5 tcp dport 8443 accept"));
    CHECK_THAT(rules, Catch::Contains("ip daddr 10.20.0.1 udp dport 123 accept comment \"NTP server 10.20.0.1\""));
    CHECK_THAT(rules, Catch::Contains("ip daddr 10.0.0.53 udp dport 53 accept"));
    CHECK_THAT(rules, Catch::Contains("ip daddr 10.0.0.53 tcp dport 53 accept"));
    CHECK_THAT(rules, Catch::Contains("oif \"lo\" accept"));
    // Multicast membership reports stay on the link: IGMP to 224.0.0.0/24 only, as MLD for IPv6.
    CHECK_THAT(rules, Catch::Contains("ip daddr 224.0.0.0/24 ip protocol igmp accept"));
    CHECK_THAT(rules, Catch::Contains("log prefix \"courtplay egress dropped: \""));
    CHECK_THAT(rules, Catch::EndsWith("\t\tcounter drop comment \"not on the allow-list\"\n\t}\n}\n"));
    CHECK_THAT(rules, !Catch::Contains("NOT REACHABLE"));

    // Addresses only: no DNS at all.
    const auto literal = egress_destinations(config_with("https://10.0.0.5:8443", {"10.20.0.1"}));
    const std::string no_dns =
        egress_ruleset("k.toml", {{literal[0], {"10.0.0.5"}}, {literal[1], {"10.20.0.1"}}}, {"10.0.0.53"});
    CHECK_THAT(no_dns, !Catch::Contains("dport 53"));

    // A name that did not resolve is left out and said so; no resolver known is said so.
    const std::string missing = egress_ruleset("k.toml", {{destinations[0], {}}}, {});
    CHECK_THAT(missing, Catch::Contains("# NOT REACHABLE: share and audit service shares.court.example did not resolve"));
    CHECK_THAT(missing, Catch::Contains("# NOT REACHABLE: names are used but no DNS resolver is known"));
    CHECK_THAT(missing, !Catch::Contains("dport 8443"));
}

TEST_CASE("egress: nameservers from resolv.conf", "[egress]") {
    CHECK(resolv_conf_nameservers("# comment\nnameserver 10.0.0.53\nsearch court.example\nnameserver fe80::1%eth0\n"
                                  "nameserver 10.0.0.53\nnameserver not-an-address\noptions edns0\n") ==
          std::vector<std::string>{"10.0.0.53", "fe80::1"});
    CHECK(resolv_conf_nameservers("").empty());
    CHECK(is_address_literal("10.0.0.1"));
    CHECK(is_address_literal("fd00::1"));
    CHECK_FALSE(is_address_literal("ntp1.court.example"));
}

TEST_CASE("egress: timesyncd names the court's servers and no fallback", "[egress]") {
    const std::string conf = timesyncd_conf(config_with("https://x", {"ntp1.court.example", "10.20.0.1"}));
    CHECK_THAT(conf, Catch::Contains("\n[Time]\nNTP=ntp1.court.example 10.20.0.1\nFallbackNTP=\n"));
    CHECK_THAT(conf, Catch::Contains("from /etc/courtplay/kiosk.toml"));
}
