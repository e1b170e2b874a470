#include "kiosk/egress_rules.h"

#include "cast/dns_sd.h"
#include "cast/stream_format.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

namespace courtplay::kiosk {
namespace {

constexpr uint16_t ntp_port = 123;
constexpr uint16_t dns_port = 53;
constexpr uint16_t mdns_port = 5353;

bool is_ipv6(const std::string& address) {
    in6_addr a{};
    return inet_pton(AF_INET6, address.c_str(), &a) == 1;
}

// One accept rule; nft allows comments of at most 128 bytes. A comment can carry a name a receiver
// announced on the network: anything but plain printable characters is replaced, so that it can
// never end the comment and add a rule of its own.
std::string accept_rule(const std::string& address, const std::string& protocol, uint16_t port, std::string comment) {
    for (char& c : comment)
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') c = '?';
    if (comment.size() > 120) comment.replace(117, std::string::npos, "...");
    // Appended rather than a chain of `+`, on which GCC 12 warns falsely (-Warray-bounds).
    std::string rule = "\t\t";
    rule.append(is_ipv6(address) ? "ip6" : "ip").append(" daddr ").append(address).append(" ").append(protocol);
    rule.append(" dport ").append(std::to_string(port)).append(" accept comment \"").append(comment).append("\"\n");
    return rule;
}

// Addresses of `host` now, IPv4 first, sorted, without repeats.
std::vector<std::string> resolve(const std::string& host) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return {};
    std::set<std::string> v4, v6;
    for (addrinfo* a = found; a; a = a->ai_next) {
        char text[INET6_ADDRSTRLEN] = {};
        if (a->ai_family == AF_INET) {
            inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr, text, sizeof text);
            v4.insert(text);
        } else if (a->ai_family == AF_INET6) {
            inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr, text, sizeof text);
            v6.insert(text);
        }
    }
    freeaddrinfo(found);
    std::vector<std::string> out(v4.begin(), v4.end());
    out.insert(out.end(), v6.begin(), v6.end());
    return out;
}

config::KioskConfig load(const std::string& config_file, const char* command) {
    try {
        return config::load_kiosk_config(config_file);
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "%s\ncourtplay: admin %s: the configuration above must be fixed first\n", e.what(), command);
        throw;
    }
}

}  // namespace

bool is_address_literal(const std::string& host) {
    in_addr a4{};
    return inet_pton(AF_INET, host.c_str(), &a4) == 1 || is_ipv6(host);
}

std::vector<EgressDestination> egress_destinations(const config::KioskConfig& config) {
    std::vector<EgressDestination> out;
    // service.url is https://HOST[:PORT] (the loader checked it), HOST possibly [IPv6].
    std::string rest = config.service.url.substr(std::string("https://").size());
    std::string host = rest, port;
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        host = rest.substr(1, close - 1);
        if (close + 1 < rest.size()) port = rest.substr(close + 2);
    } else if (const auto colon = rest.find(':'); colon != std::string::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    // The audit journal is shipped to the share service's own address (docs/audit.md).
    out.push_back({"share and audit service", host, uint16_t(port.empty() ? 443 : std::stoi(port)), "tcp"});
    for (const auto& ntp : config.time.ntp_servers) out.push_back({"NTP server", ntp, ntp_port, "udp"});
    // A receiver is one HOST:PORT for both its control channel (TLS over TCP) and the stream (SRT
    // over UDP). [cast] receivers were checked by the loader: HOST:PORT or [IPV6]:PORT.
    for (const auto& r : config.cast.receivers) {
        const cast::HostPort at = cast::parse_host_port(r, "a receiver");  // as pairing reads it
        out.push_back({"courtroom receiver " + r + " (pairing)", at.host, uint16_t(at.port), "tcp"});
        out.push_back({"courtroom receiver " + r + " (stream)", at.host, uint16_t(at.port), "udp"});
    }
    // Finding receivers: avahi-daemon's questions and answers go to mDNS's multicast groups.
    if (config.cast.find_receivers)
        for (const char* group : {"224.0.0.251", "ff02::fb"})
            out.push_back({"mDNS (finding courtroom receivers)", group, mdns_port, "udp"});
    return out;
}

std::vector<ResolvedDestination> found_receiver_destinations(const std::vector<cast::FoundReceiver>& found) {
    std::vector<ResolvedDestination> out;
    for (const cast::FoundReceiver& f : found) {
        // By its address: its mDNS name is not one the network's DNS would answer for.
        const std::string what = "courtroom receiver " + f.name + " (" + f.host + ") found on the network";
        out.push_back({{what + " (pairing)", f.address, uint16_t(f.port), "tcp"}, {f.address}});
        out.push_back({{what + " (stream)", f.address, uint16_t(f.port), "udp"}, {f.address}});
    }
    return out;
}

std::vector<std::string> resolv_conf_nameservers(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string keyword, address;
        if (!(words >> keyword >> address) || keyword != "nameserver") continue;
        if (const auto percent = address.find('%'); percent != std::string::npos) address.erase(percent);
        if (is_address_literal(address) && std::find(out.begin(), out.end(), address) == out.end())
            out.push_back(address);
    }
    return out;
}

std::string egress_ruleset(const std::string& source, const std::vector<ResolvedDestination>& destinations,
                           const std::vector<std::string>& resolvers) {
    std::string allowed, notes;
    bool names = false;
    for (const auto& d : destinations) {
        const EgressDestination& e = d.destination;
        names = names || !is_address_literal(e.host);
        if (d.addresses.empty())
            notes += "# NOT REACHABLE: " + e.what + " " + e.host + " did not resolve when these rules were made\n";
        for (const auto& address : d.addresses) {
            std::string comment = e.what + " " + e.host;
            if (address != e.host) comment += " (" + address + ")";
            allowed += accept_rule(address, e.protocol, e.port, comment);
        }
    }
    std::string dns;
    if (names) {
        for (const auto& r : resolvers) {
            dns += accept_rule(r, "udp", dns_port, "DNS resolver " + r);
            dns += accept_rule(r, "tcp", dns_port, "DNS resolver " + r);
        }
        if (resolvers.empty()) notes += "# NOT REACHABLE: names are used but no DNS resolver is known\n";
    }
    return "#!/usr/sbin/nft -f\n"
           "# The kiosk's egress allow-list, made by `courtplay admin egress-rules` from " + source + ".\n"
           "# Do not edit: it is made again at every boot and every 2 minutes (courtplay-egress.timer).\n" +
           notes +
           "table inet courtplay_egress\n"
           "delete table inet courtplay_egress\n"
           "table inet courtplay_egress {\n"
           "\tchain output {\n"
           "\t\ttype filter hook output priority filter; policy drop;\n"
           "\t\toif \"lo\" accept comment \"this machine itself: the compositor, the local DNS stub\"\n"
           "\t\tct state established,related accept comment \"answers within connections allowed below\"\n"
           "\t\tudp sport 68 udp dport 67 accept comment \"DHCP (IPv4)\"\n"
           "\t\tudp sport 546 udp dport 547 accept comment \"DHCPv6\"\n"
           "\t\ticmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report } "
           "accept comment \"IPv6 neighbour discovery\"\n"
           // Found booting the image: the kernel's reports for the multicast groups avahi joins
           // were logged as drops. Link-local (never routed), carrying no data, like MLD above.
           "\t\tip daddr 224.0.0.0/24 ip protocol igmp accept comment \"IPv4 multicast membership reports (IGMP)\"\n" +
           dns + allowed +
           "\t\tlimit rate 10/minute burst 20 packets log prefix \"courtplay egress dropped: \" level warn\n"
           "\t\tcounter drop comment \"not on the allow-list\"\n"
           "\t}\n"
           "}\n";
}

std::string timesyncd_conf(const config::KioskConfig& config) {
    std::string servers;
    for (const auto& s : config.time.ntp_servers) servers += (servers.empty() ? "" : " ") + s;
    return "# The court's time servers, made by `courtplay admin ntp-conf` from " + config.file.string() +
           " ([time] ntp_servers).\n"
           "# No fallback: the egress list lets the kiosk reach these servers and no others.\n"
           "[Time]\n"
           "NTP=" + servers + "\n"
           "FallbackNTP=\n";
}

int run_admin_ntp_conf(const std::string& config_file) {
    config::KioskConfig config;
    try {
        config = load(config_file, "ntp-conf");
    } catch (const config::ConfigError&) {
        return 2;
    }
    if (config.time.ntp_servers.empty()) {
        std::fprintf(stderr,
                     "%s: key `time.ntp_servers` is missing: the kiosk OS image needs the court's NTP servers, "
                     "e.g. [time] ntp_servers = [\"ntp1.court.example\"]\n",
                     config.file.c_str());
        return 2;
    }
    std::fputs(timesyncd_conf(config).c_str(), stdout);
    return 0;
}

int run_admin_egress_rules(const std::string& config_file, const std::string& resolv_conf, const std::string& output) {
    config::KioskConfig config;
    try {
        config = load(config_file, "egress-rules");
    } catch (const config::ConfigError&) {
        return 2;
    }
    std::vector<ResolvedDestination> resolved;
    bool all_resolved = true;
    for (auto& d : egress_destinations(config)) {
        std::vector<std::string> addresses = is_address_literal(d.host) ? std::vector<std::string>{d.host} : resolve(d.host);
        if (addresses.empty()) {
            std::fprintf(stderr, "courtplay: admin egress-rules: %s %s did not resolve: left out until the next run\n",
                         d.what.c_str(), d.host.c_str());
            all_resolved = false;
        }
        resolved.push_back({std::move(d), std::move(addresses)});
    }
    // Receivers announced on the network now; one switched on later is let through at the next run.
    if (config.cast.find_receivers) {
        try {
            for (auto& d : found_receiver_destinations(cast::find_receivers(std::chrono::seconds(2))))
                resolved.push_back(std::move(d));
        } catch (const cast::CastError& e) {
            std::fprintf(stderr, "courtplay: admin egress-rules: %s: no receiver found on the network is let through "
                                 "until the next run\n", e.what());
            all_resolved = false;
        }
    }
    std::vector<std::string> resolvers;
    if (!resolv_conf.empty()) {
        std::ifstream in(resolv_conf);
        std::ostringstream text;
        text << in.rdbuf();
        resolvers = resolv_conf_nameservers(text.str());
    }
    const std::string rules = egress_ruleset(config.file.string(), resolved, resolvers);
    if (output.empty()) {
        std::fputs(rules.c_str(), stdout);
    } else {
        // Written beside the target and renamed, so nft never reads half a file.
        const std::string temporary = output + ".new";
        {
            std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
            out << rules;
            if (!out.flush()) {
                std::fprintf(stderr, "courtplay: admin egress-rules: cannot write %s\n", temporary.c_str());
                return 1;
            }
        }
        std::error_code ec;
        std::filesystem::rename(temporary, output, ec);
        if (ec) {
            std::fprintf(stderr, "courtplay: admin egress-rules: cannot write %s: %s\n", output.c_str(),
                         ec.message().c_str());
            return 1;
        }
    }
    return all_resolved ? 0 : 3;
}

}  // namespace courtplay::kiosk
