// `courtplay-server init`: a new data folder with everything a demo or a test needs.
#include "auth/keys.h"
#include "server/certs.h"
#include "server/commands.h"
#include "server/data_folder.h"
#include "server/grants.h"
#include "server/store.h"

#include <cstdio>
#include <stdexcept>

#include <unistd.h>

namespace courtplay::server {
namespace {

namespace fs = std::filesystem;

constexpr int kCaDays = 3650;
constexpr int kServerCertDays = 825;  // the longest a public TLS certificate may be; tools expect no more

std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

void make_private_dir(const fs::path& dir) {
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
}

std::string kiosk_toml(const DataFolder& d, const std::string& url) {
    std::string t;
    t += "# courtplay kiosk configuration, written by `courtplay-server init`\n";
    t += "[kiosk]\n";
    t += "id = \"kiosk-1\"\n";
    t += "court = \"Reference Crown Court\"\n";
    t += "room = \"Court 1\"\n";
    t += "state_dir = " + toml_string(d.kiosk_state().string()) + "\n\n";
    t += "[service]\n";
    t += "url = " + toml_string(url) + "\n";
    t += "ca_file = " + toml_string(d.ca_cert().string()) + "\n";
    t += "timeout_s = 15\n";
    t += "status_poll_s = 10\n\n";
    t += "[trust]\n";
    t += "clock_skew_s = 120\n";
    for (auth::Party p : {auth::Party::cps, auth::Party::defence}) {
        t += std::string("\n[trust.") + auth::party_name(p) + "]\n";
        t += "issuer = " + toml_string(issuer_url(url, p)) + "\n";
        t += "key = " + toml_string(d.issuer_jwk(p).string()) + "\n";
    }
    t += "\n[cast]\n";
    t += "court_ca = " + toml_string(d.ca_cert().string()) + "\n";
    return t;
}

constexpr char kReceiverName[] = "Court 1 screen";
constexpr char kReceiverListen[] = "127.0.0.1:7700";

// "<host>.local", as avahi-daemon announces this computer by default; empty if the host name is
// not one DNS-SD could use.
std::string mdns_host_name() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) return {};
    std::string name(host);
    name = name.substr(0, name.find('.'));
    if (name.empty() || name == "localhost" || !is_valid_hostname(name)) return {};
    return name + ".local";
}

std::string receiver_toml(const DataFolder& d) {
    std::string t;
    t += "# courtplay receiver configuration, written by `courtplay-server init`\n";
    t += "[receiver]\n";
    t += "name = " + toml_string(kReceiverName) + "\n";
    t += "listen = " + toml_string(kReceiverListen) + "\n";
    t += "latency_ms = 40\n";
    t += "certificate = " + toml_string(d.receiver_cert().string()) + "\n";
    t += "private_key = " + toml_string(d.receiver_key().string()) + "\n";
    return t;
}

void make_everything(const DataFolder& d, const InitOptions& o, const ListenAddress& listen) {
    make_private_dir(d.root);
    for (const fs::path& sub : {d.root / "ca", d.root / "tls", d.root / "issuers", d.clips(), d.kiosk_state()}) {
        make_private_dir(sub);
    }
    make_ca(d.ca_cert(), d.ca_key(), kCaDays);
    const int64_t now = unix_now();
    issue_server_cert(d.root, o.hostname, now - 3600, now + int64_t{kServerCertDays} * 86400, d.tls_cert(),
                      d.tls_key());
    // The demo's receiver runs on this machine: its certificate names loopback, the service's host
    // name (a receiver on the same computer reached by name), and this computer's mDNS name (the
    // name it is announced under, which a kiosk finding it on the network checks).
    std::vector<std::string> receiver_addresses = {"localhost", "127.0.0.1", "::1"};
    if (o.hostname != "localhost" && o.hostname != "127.0.0.1" && o.hostname != "::1")
        receiver_addresses.push_back(o.hostname);
    if (const std::string mdns = mdns_host_name(); !mdns.empty()) receiver_addresses.push_back(mdns);
    issue_receiver_cert(d.root, kReceiverName, receiver_addresses, now - 3600,
                        now + int64_t{kServerCertDays} * 86400, d.receiver_cert(), d.receiver_key());
    for (auth::Party p : {auth::Party::cps, auth::Party::defence}) {
        const auth::SigningKey key = auth::SigningKey::generate();
        key.save_pem(d.issuer_key(p));
        key.public_key().save_jwk(d.issuer_jwk(p));
    }
    const std::string url = https_url(o.hostname, listen.port);
    Store store = Store::create(d.database());
    store.set_setting("hostname", o.hostname);
    store.set_setting("listen", listen_text(listen));
    store.set_setting("url", url);
    store.set_setting("created_at", std::to_string(now));
    auth::write_file_atomic(d.kiosk_config(), kiosk_toml(d, url), 0644);
    auth::write_file_atomic(d.receiver_config(), receiver_toml(d), 0644);
}

}  // namespace

void run_init(const InitOptions& o) {
    const DataFolder d(o.data);
    const auto listen = parse_listen(o.listen);
    if (!listen || listen->port == 0) {
        throw std::runtime_error("--listen `" + o.listen + "` is not HOST:PORT with a port from 1 to 65535 (for example "
                                 "127.0.0.1:8443)");
    }
    if (!is_valid_hostname(o.hostname)) {
        throw std::runtime_error("--hostname `" + o.hostname +
                                 "` is not a host name or IP address: give the name kiosks will use to reach the service");
    }
    std::error_code ec;
    if (fs::exists(d.root, ec) && !(fs::is_directory(d.root, ec) && fs::is_empty(d.root, ec))) {
        throw std::runtime_error(d.root.string() +
                                 " already exists: init never writes over a data folder (its keys and shares would "
                                 "be lost). Give a new folder, or remove this one if you mean to start again");
    }
    try {
        make_everything(d, o, *listen);
    } catch (...) {
        // The folder was new or empty: leave it as it was rather than half made.
        for (const auto& entry : fs::directory_iterator(d.root, ec)) fs::remove_all(entry.path(), ec);
        throw;
    }
    std::printf("courtplay-server: made the data folder %s\n", d.root.string().c_str());
    std::printf("  service     https://%s (listens on %s)\n", https_url(o.hostname, listen->port).substr(8).c_str(),
                listen_text(*listen).c_str());
    std::printf("  CA          %s (kiosks trust this)\n", d.ca_cert().string().c_str());
    std::printf("  kiosk       %s\n", d.kiosk_config().string().c_str());
    std::printf("  receiver    %s (courtplay receiver --config ...)\n", d.receiver_config().string().c_str());
    std::printf("next: courtplay-server clip add --data %s FILE --title TEXT\n", d.root.string().c_str());
}

}  // namespace courtplay::server
