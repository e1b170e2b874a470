// What the kiosk OS image makes from kiosk.toml (image/README.md): the nftables egress allow-list
// (`courtplay admin egress-rules`) and systemd-timesyncd's settings (`courtplay admin ntp-conf`).
// They are made by courtplay itself so that they read the one validating loader's view of the file.
#pragma once

#include "cast/dns_sd.h"
#include "config/kiosk_config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace courtplay::kiosk {

// One place the kiosk may send to.
struct EgressDestination {
    std::string what;      // in court IT's words: "share and audit service", "NTP server"
    std::string host;      // a name or an address literal (IPv6 without brackets)
    uint16_t port = 0;
    std::string protocol;  // "tcp" or "udp"
};

// Every place kiosk.toml says the kiosk talks to: the share service (which is also where the audit
// journal is shipped), the NTP servers, the courtroom's receivers ([cast] receivers: TCP and
// UDP to each one's port) and, with [cast] find_receivers, mDNS's multicast groups.
std::vector<EgressDestination> egress_destinations(const config::KioskConfig& config);

// A destination with the addresses its host stood for when the rules were made.
struct ResolvedDestination {
    EgressDestination destination;
    std::vector<std::string> addresses;  // "10.0.0.5", "fd00::5"; empty: the name did not resolve
};

// The receivers found on the network (one per address): TCP and UDP to each one's port, at the
// address it announced.
std::vector<ResolvedDestination> found_receiver_destinations(const std::vector<cast::FoundReceiver>& found);

// The nftables ruleset (nft -f): table inet courtplay_egress, replaced atomically, whose output
// chain lets through loopback, answers within allowed connections, DHCP, IPv6 neighbour discovery,
// DNS to `resolvers` (only when a destination is a name) and each destination's addresses; anything
// else is counted, logged (at most 10 a minute) and dropped. `source` names the configuration file.
std::string egress_ruleset(const std::string& source, const std::vector<ResolvedDestination>& destinations,
                           const std::vector<std::string>& resolvers);

// The nameserver addresses in a resolv.conf text, in order, without repeats.
std::vector<std::string> resolv_conf_nameservers(const std::string& text);

// True for an IPv4 or IPv6 address literal (then nothing needs resolving, nor DNS).
bool is_address_literal(const std::string& host);

// systemd-timesyncd's drop-in (timesyncd.conf.d) naming the configuration's NTP servers, with no
// fallback servers. The configuration must have [time] ntp_servers.
std::string timesyncd_conf(const config::KioskConfig& config);

// `courtplay admin egress-rules --config FILE [--resolv-conf FILE] [--output FILE]`: the ruleset,
// with names resolved now and, with [cast] find_receivers, the receivers announced now. Exit
// codes: 0; 2 a bad configuration; 3 some name did not resolve, or avahi-daemon could not be asked
// for receivers (the ruleset is still written without them, so that the rest is reachable);
// 1 cannot write.
int run_admin_egress_rules(const std::string& config_file, const std::string& resolv_conf, const std::string& output);

// `courtplay admin ntp-conf --config FILE`: timesyncd_conf() on stdout. Exit 2 for a bad
// configuration or one without [time] ntp_servers.
int run_admin_ntp_conf(const std::string& config_file);

}  // namespace courtplay::kiosk
