// The kiosk's configuration: one TOML file, read once at start by one validating loader.
// config/kiosk.example.toml documents every key; docs/config.md is the reference.
// A bad file stops the program before it does anything else, with the file, the key and what is
// wrong ("kiosk.toml: key `service.url`: must start with https://").
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace courtplay::config {

struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct ServiceConfig {
    std::string url;                 // "https://host:port", no trailing slash
    std::filesystem::path ca_file;   // PEM bundle the service's certificate must chain to
    std::string spki_pin;            // optional "sha256//BASE64" (libcurl's pinnedpubkey form)
    int timeout_s = 15;              // per request
    int status_poll_s = 10;          // how often an open session asks for the share's status
};

struct IssuerConfig {
    std::string issuer;              // must equal the grant's "iss"
    std::filesystem::path key;       // the issuer's public JWK (Ed25519)
};

// The encrypted clip cache (docs/cache.md).
struct CacheConfig {
    std::filesystem::path dir;       // default state_dir/cache
    std::filesystem::path key_file;  // default state_dir/keys/cache.key; never inside `dir`
    int64_t max_size_mb = 20480;     // least recently used clips go first above this
    int keep_after_session_h = 0;    // 0: a session's cached clips are purged when it ends
};

// The audit journal and its shipping (docs/audit.md).
struct AuditConfig {
    std::filesystem::path dir;       // default state_dir/journal
    std::filesystem::path key_file;  // default state_dir/keys/audit.key (Ed25519, made on first start)
    int keep_delivered_days = 90;    // delivered events are kept this long on the kiosk
    int max_backlog_age_h = 72;      // undelivered events older than this stop new playback ...
    int64_t max_backlog_events = 100000;  // ... as do more undelivered events than this
};

// The watermark burned into every frame shown or cast (docs/watermark.md). Nothing turns it off.
struct WatermarkConfig {
    std::string text_template;       // default kDefaultWatermarkTemplate (config/watermark_template.h)
    int move_every_s = 20;           // seconds in one place before it moves to the next
    int opacity_percent = 75;        // 40..90
};

// The kiosk app's screens.
struct UiConfig {
    std::string language = "en";     // "en" or "cy" (Welsh): the language the waiting screen starts in
    int idle_timeout_s = 300;        // no touch or key for this long ends a session
    int idle_warning_s = 30;         // the visible countdown before it ends; less than idle_timeout_s
};

// The admin screen (a hidden key, then the PIN).
struct AdminConfig {
    std::string pin_hash;            // auth/pin_hash.h's form; empty: the admin screen cannot be opened
};

// The court's time servers. courtplay itself does not read the clock from them: the kiosk OS image
// points systemd-timesyncd at them and lets them through its egress list (image/README.md).
struct TimeConfig {
    std::vector<std::string> ntp_servers;  // host names or IP addresses, lower case, no port
};

struct CastConfig {
    std::filesystem::path court_ca;  // receivers' certificates must chain to it; empty: no casting
    std::vector<std::string> receivers;  // this courtroom's receivers, HOST:PORT, lower case
    bool find_receivers = false;         // also those announced on the network (DNS-SD)
};

// The kiosk's own video outputs: where the console is, and the courtroom's screens (local HDMI),
// each by its output name as `xrandr` lists it ("HDMI-2") or its position ("2").
struct DisplaysConfig {
    std::string console;              // empty: the first display
    std::vector<std::string> court;   // empty: no court screens on this kiosk
};

struct KioskConfig {
    std::filesystem::path file;      // where it was read from
    std::string kiosk_id;
    std::string court, room;         // shown on the waiting screen
    std::filesystem::path state_dir; // cache, journal and the kiosk's own keys
    ServiceConfig service;
    int clock_skew_s = 120;
    std::map<std::string, IssuerConfig> issuers;  // by party: "cps", "defence"
    CacheConfig cache;
    AuditConfig audit;
    WatermarkConfig watermark;
    UiConfig ui;
    AdminConfig admin;
    TimeConfig time;
    CastConfig cast;
    DisplaysConfig displays;
};

// Relative paths in the file are taken relative to the file's folder. Throws ConfigError.
KioskConfig load_kiosk_config(const std::filesystem::path& file);

}  // namespace courtplay::config
