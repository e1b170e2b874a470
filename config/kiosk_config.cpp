// The one validating loader for kiosk.toml.
//
// Every setting is one row of key_specs() (full dotted name, rule, required, what is expected, where
// it goes); every table is one row of table_specs(). The loader walks the parsed file once: a known
// key is checked by its rule and stored, anything else is reported as unknown with a suggestion.
// Adding a setting is adding a row. All problems in the file are reported together, in file order,
// one per line, each starting with the file's path and naming the key, so court IT can fix the file
// from the message alone.
#include "config/kiosk_config.h"

#include "auth/pin_hash.h"
#include "config/watermark_template.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>
#include <vector>

namespace courtplay::config {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t max_file_bytes = 1 << 20;  // far above any real kiosk.toml
constexpr size_t max_issues = 25;

// ---- the options table -------------------------------------------------------------------------

enum class Rule {
    Text,          // any string
    Name,          // a non-empty string
    KioskId,       // 1-64 of A-Z a-z 0-9 . _ -
    ServiceUrl,    // https://host[:port], nothing after it
    SpkiPin,       // empty or sha256//BASE64(32 bytes), several joined by ';'
    ReadableFile,  // a path to an existing, readable file
    Folder,        // a path to a folder (created by the kiosk when missing)
    FilePath,      // a path to a file that need not exist yet (created by the kiosk), not a folder
    Whole,         // a whole number in [min, max]
    WatermarkTemplate,  // placeholders known, the required ones there (config/watermark_template.h)
    Choice,        // one of KeySpec::choices, exactly
    PinHash,       // empty or auth/pin_hash.h's form; never quoted back in a message
    HostList,      // a list of 1 to KeySpec::max host names or IP addresses, no ports, no repeats
    AddressList,   // a list of 1 to KeySpec::max HOST:PORT (or [IPV6]:PORT), no repeats
    DisplayName,   // a video output's name (1-32 of A-Z a-z 0-9 . _ -) or its position "1", "2", ...
    DisplayList,   // a list of 1 to KeySpec::max DisplayName, no repeats
    Flag,          // true or false (TOML's, not in quotes)
};

// A checked value, ready to store.
struct Value {
    std::string text;
    fs::path path;
    int64_t number = 0;  // Rule::Whole; Rule::Flag: 1 or 0
    std::vector<std::string> list;  // Rule::HostList, Rule::AddressList, Rule::DisplayList
};

struct KeySpec {
    std::string key;         // full dotted name: "service.timeout_s"
    Rule rule;
    bool required;           // when its table is present
    std::string expected;    // "a whole number of seconds from 1 to 300": ends "must be ..." / "expected ..."
    std::function<void(KioskConfig&, Value&&)> store;
    int64_t min = 0, max = 0;  // Rule::Whole; Rule::HostList's max is the most entries
    std::vector<std::string> choices;  // Rule::Choice only
};

struct TableSpec {
    std::string name;  // "trust.cps"
    bool required;
};

// Parties whose grant issuers a kiosk can trust.
constexpr std::string_view parties[] = {"cps", "defence"};

// `unit` is plural: "seconds", "hours", "MiB".
KeySpec whole_spec(std::string key, std::string_view unit, int64_t min, int64_t max,
                   std::function<void(KioskConfig&, Value&&)> store) {
    std::string expected = "a whole number of " + std::string(unit) + " from " + std::to_string(min) + " to " +
                           std::to_string(max);
    return {std::move(key), Rule::Whole, false, std::move(expected), std::move(store), min, max};
}

KeySpec seconds_spec(std::string key, int64_t min, int64_t max,
                     std::function<void(KioskConfig&, Value&&)> store) {
    return whole_spec(std::move(key), "seconds", min, max, std::move(store));
}

const std::vector<KeySpec>& key_specs() {
    static const std::vector<KeySpec> specs = [] {
        std::vector<KeySpec> s = {
            {"kiosk.id", Rule::KioskId, true,
             "1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-', e.g. \"kiosk-1\"",
             [](KioskConfig& c, Value&& v) { c.kiosk_id = std::move(v.text); }},
            {"kiosk.court", Rule::Text, false, "the court's name as a string in quotes",
             [](KioskConfig& c, Value&& v) { c.court = std::move(v.text); }},
            {"kiosk.room", Rule::Text, false, "the room's name as a string in quotes",
             [](KioskConfig& c, Value&& v) { c.room = std::move(v.text); }},
            {"kiosk.state_dir", Rule::Folder, true,
             "the path of the kiosk's own folder (cache, journal, keys), e.g. \"/var/lib/courtplay/kiosk\"",
             [](KioskConfig& c, Value&& v) { c.state_dir = std::move(v.path); }},
            {"service.url", Rule::ServiceUrl, true,
             "the share service's address as https://HOST or https://HOST:PORT, with no path, "
             "e.g. \"https://shares.example.org:8443\"",
             [](KioskConfig& c, Value&& v) { c.service.url = std::move(v.text); }},
            {"service.ca_file", Rule::ReadableFile, true,
             "the path of a readable PEM file holding the certificate authority the service's "
             "certificate chains to",
             [](KioskConfig& c, Value&& v) { c.service.ca_file = std::move(v.path); }},
            {"service.spki_pin", Rule::SpkiPin, false,
             "empty or \"sha256//\" followed by the base64 SHA-256 of the service's public key "
             "(44 characters ending in '='), several joined by ';'",
             [](KioskConfig& c, Value&& v) { c.service.spki_pin = std::move(v.text); }},
            seconds_spec("service.timeout_s", 1, 300,
                         [](KioskConfig& c, Value&& v) { c.service.timeout_s = int(v.number); }),
            seconds_spec("service.status_poll_s", 1, 3600,
                         [](KioskConfig& c, Value&& v) { c.service.status_poll_s = int(v.number); }),
            seconds_spec("trust.clock_skew_s", 0, 3600,
                         [](KioskConfig& c, Value&& v) { c.clock_skew_s = int(v.number); }),
            {"cache.dir", Rule::Folder, false,
             "the path of the folder for encrypted cached clips, e.g. \"/var/lib/courtplay/kiosk/cache\"",
             [](KioskConfig& c, Value&& v) { c.cache.dir = std::move(v.path); }},
            {"cache.key_file", Rule::FilePath, false,
             "the path of the kiosk's cache key file (made on first start, owner-only), outside the cache "
             "folder, e.g. \"/var/lib/courtplay/kiosk/keys/cache.key\"",
             [](KioskConfig& c, Value&& v) { c.cache.key_file = std::move(v.path); }},
            whole_spec("cache.max_size_mb", "MiB", 1, 16 << 20,
                       [](KioskConfig& c, Value&& v) { c.cache.max_size_mb = v.number; }),
            whole_spec("cache.keep_after_session_h", "hours", 0, 168,
                       [](KioskConfig& c, Value&& v) { c.cache.keep_after_session_h = int(v.number); }),
            {"audit.dir", Rule::Folder, false,
             "the path of the folder for the audit journal, e.g. \"/var/lib/courtplay/kiosk/journal\"",
             [](KioskConfig& c, Value&& v) { c.audit.dir = std::move(v.path); }},
            {"audit.key_file", Rule::FilePath, false,
             "the path of the kiosk's audit signing key (made on first start, owner-only), e.g. "
             "\"/var/lib/courtplay/kiosk/keys/audit.key\"",
             [](KioskConfig& c, Value&& v) { c.audit.key_file = std::move(v.path); }},
            whole_spec("audit.keep_delivered_days", "days", 1, 3650,
                       [](KioskConfig& c, Value&& v) { c.audit.keep_delivered_days = int(v.number); }),
            whole_spec("audit.max_backlog_age_h", "hours", 1, 24 * 365,
                       [](KioskConfig& c, Value&& v) { c.audit.max_backlog_age_h = int(v.number); }),
            whole_spec("audit.max_backlog_events", "events", 100, 100000000,
                       [](KioskConfig& c, Value&& v) { c.audit.max_backlog_events = v.number; }),
            {"watermark.template", Rule::WatermarkTemplate, false,
             "the watermark's text with placeholders, e.g. \"{party} {case_ref} share {share_id}\\nsession "
             "{session_id} {utc}\"",
             [](KioskConfig& c, Value&& v) { c.watermark.text_template = std::move(v.text); }},
            seconds_spec("watermark.move_every_s", 5, 3600,
                         [](KioskConfig& c, Value&& v) { c.watermark.move_every_s = int(v.number); }),
            whole_spec("watermark.opacity_percent", "percent", 40, 90,
                       [](KioskConfig& c, Value&& v) { c.watermark.opacity_percent = int(v.number); }),
            {"ui.language", Rule::Choice, false,
             "the language the waiting screen starts in: \"en\" (English) or \"cy\" (Welsh)",
             [](KioskConfig& c, Value&& v) { c.ui.language = std::move(v.text); }, 0, 0, {"en", "cy"}},
            seconds_spec("ui.idle_timeout_s", 60, 7200,
                         [](KioskConfig& c, Value&& v) { c.ui.idle_timeout_s = int(v.number); }),
            seconds_spec("ui.idle_warning_s", 10, 300,
                         [](KioskConfig& c, Value&& v) { c.ui.idle_warning_s = int(v.number); }),
            {"admin.pin_hash", Rule::PinHash, false,
             "empty or a PIN hash made by `courtplay admin pin-hash` (\"scrypt$15$8$1$...\")",
             [](KioskConfig& c, Value&& v) { c.admin.pin_hash = std::move(v.text); }},
            {"time.ntp_servers", Rule::HostList, false,
             "a list of 1 to 8 NTP servers, each a host name or an IP address without a port, e.g. "
             "[\"ntp1.court.example\", \"10.20.0.1\"]",
             [](KioskConfig& c, Value&& v) { c.time.ntp_servers = std::move(v.list); }, 1, 8},
            {"cast.court_ca", Rule::ReadableFile, false,
             "the path of a readable PEM file holding the court CA that issues the courtroom receivers' "
             "certificates, e.g. \"/etc/courtplay/court-ca.pem\"",
             [](KioskConfig& c, Value&& v) { c.cast.court_ca = std::move(v.path); }},
            {"cast.receivers", Rule::AddressList, false,
             "a list of 1 to 16 courtroom receivers, each HOST:PORT as the receiver listens, e.g. "
             "[\"192.0.2.10:7700\", \"court3-left.example:7700\"]",
             [](KioskConfig& c, Value&& v) { c.cast.receivers = std::move(v.list); }, 1, 16},
            {"cast.find_receivers", Rule::Flag, false,
             "true (also list the receivers announced on the court's network, DNS-SD) or false",
             [](KioskConfig& c, Value&& v) { c.cast.find_receivers = v.number != 0; }},
            {"displays.console", Rule::DisplayName, false,
             "the console's video output as `xrandr` names it, e.g. \"HDMI-1\", or its position, e.g. \"1\"",
             [](KioskConfig& c, Value&& v) { c.displays.console = std::move(v.text); }},
            {"displays.court", Rule::DisplayList, false,
             "a list of 1 to 4 courtroom screens, each a video output as `xrandr` names it or its position, "
             "e.g. [\"HDMI-2\"] or [\"2\"]",
             [](KioskConfig& c, Value&& v) { c.displays.court = std::move(v.list); }, 1, 4},
        };
        for (std::string_view p : parties) {
            std::string party(p);
            s.push_back({"trust." + party + ".issuer", Rule::Name, true,
                         "the " + party + " issuer's name as a non-empty string, equal to the `iss` "
                         "of its grants",
                         [party](KioskConfig& c, Value&& v) { c.issuers[party].issuer = std::move(v.text); }});
            s.push_back({"trust." + party + ".key", Rule::ReadableFile, true,
                         "the path of a readable file holding the " + party + " issuer's public key (JWK)",
                         [party](KioskConfig& c, Value&& v) { c.issuers[party].key = std::move(v.path); }});
        }
        return s;
    }();
    return specs;
}

const std::vector<TableSpec>& table_specs() {
    static const std::vector<TableSpec> tables = [] {
        // [trust] itself is optional: check_missing() asks for at least one party table instead.
        std::vector<TableSpec> t = {{"kiosk", true}, {"service", true}, {"trust", false}, {"cache", false}, {"audit", false},
                                   {"watermark", false}, {"ui", false}, {"admin", false}, {"time", false}, {"cast", false},
                                   {"displays", false}};
        for (std::string_view p : parties) t.push_back({"trust." + std::string(p), false});
        return t;
    }();
    return tables;
}

const KeySpec* find_key(std::string_view key) {
    for (const auto& s : key_specs())
        if (s.key == key) return &s;
    return nullptr;
}

const TableSpec* find_table(std::string_view name) {
    for (const auto& t : table_specs())
        if (t.name == name) return &t;
    return nullptr;
}

// ---- words for messages ------------------------------------------------------------------------

std::string in_quotes(std::string_view s) {
    constexpr size_t max_shown = 80;
    std::string out = "\"";
    size_t shown = 0;
    for (unsigned char ch : s) {
        if (++shown > max_shown) {
            out += "...";
            break;
        }
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += char(ch);
        } else if (ch < 0x20 || ch == 0x7f) {
            static const char digits[] = "0123456789abcdef";
            out += "\\x";
            out += digits[ch >> 4];
            out += digits[ch & 15];
        } else {
            out += char(ch);
        }
    }
    return out + "\"";
}

std::string type_words(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::string: return n.as_string()->get().empty() ? "an empty string" : "a string";
        case toml::node_type::integer: return "a whole number";
        case toml::node_type::floating_point: return "a decimal number";
        case toml::node_type::boolean: return "true or false";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date and time";
        case toml::node_type::array: return "a list";
        case toml::node_type::table: return "a table";
        default: return "an unexpected value";
    }
}

// `found "abc" (a string)`, with the reason when the type is right but the content is not.
std::string found(const toml::node& n, std::string_view reason = {}) {
    if (n.is_table()) return "found a table";
    std::string shown;
    if (auto s = n.as_string()) {
        shown = in_quotes(s->get());
    } else {
        std::ostringstream os;
        n.visit([&](const auto& v) { os << v; });
        shown = os.str();
        if (shown.size() > 80) shown = shown.substr(0, 80) + "...";
    }
    return "found " + shown + " (" + (reason.empty() ? type_words(n) : std::string(reason)) + ")";
}

bool is_id_char(unsigned char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
           ch == '_' || ch == '-';
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& ch : out)
        if (ch >= 'A' && ch <= 'Z') ch = char(ch - 'A' + 'a');
    return out;
}

// Edit distance with adjacent swaps counting as one edit ("ulr" is one edit from "url").
size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

std::string_view leaf(std::string_view dotted) {
    auto dot = dotted.rfind('.');
    return dot == std::string_view::npos ? dotted : dotted.substr(dot + 1);
}

std::string_view parent(std::string_view dotted) {
    auto dot = dotted.rfind('.');
    return dot == std::string_view::npos ? std::string_view{} : dotted.substr(0, dot);
}

// "did you mean `service.url`?" for a known key or table near the unknown one, else "".
std::string suggestion(std::string_view unknown) {
    struct Candidate {
        std::string name, shown;
    };
    std::vector<Candidate> candidates;
    for (const auto& s : key_specs()) candidates.push_back({s.key, "`" + s.key + "`"});
    for (const auto& t : table_specs()) candidates.push_back({t.name, "`[" + t.name + "]`"});

    const std::string u = lower(unknown);
    const Candidate* best = nullptr;
    size_t best_distance = 3;
    for (const auto& c : candidates) {
        size_t d = edit_distance(u, lower(c.name));
        if (d < best_distance) best = &c, best_distance = d;
    }
    if (!best) {  // the same key under another table: `kiosk.url` for `service.url`
        for (const auto& c : candidates)
            if (lower(leaf(c.name)) == lower(leaf(unknown))) {
                best = &c;
                break;
            }
    }
    if (!best) {  // a longer or shorter spelling in the same table: `service.timeout_seconds`
        const std::string l = lower(leaf(unknown));
        for (const auto& c : candidates) {
            const std::string known = lower(leaf(c.name));
            const std::string& shorter = l.size() < known.size() ? l : known;
            const std::string& longer = l.size() < known.size() ? known : l;
            if (parent(c.name) == parent(unknown) && shorter.size() >= 4 && longer.starts_with(shorter)) {
                best = &c;
                break;
            }
        }
    }
    return best ? "did you mean " + best->shown + "?" : "";
}

// What a known table holds: "`[service]` takes url, ca_file, ...".
std::string table_contents(std::string_view table) {
    std::string keys;
    for (const auto& s : key_specs())
        if (parent(s.key) == table) keys += (keys.empty() ? "" : ", ") + std::string(leaf(s.key));
    for (const auto& t : table_specs())
        if (parent(t.name) == table) keys += (keys.empty() ? "[" : ", [") + t.name + "]";
    return keys;
}

// ---- the loader --------------------------------------------------------------------------------

class Loader {
public:
    explicit Loader(fs::path file) : file_(std::move(file)), folder_(file_.parent_path()) {}

    KioskConfig load(const toml::table& root) {
        KioskConfig config;
        config.file = file_;
        walk(root, "", config);
        check_missing();
        check_idle(config);
        check_displays(config);
        check_cast(config);
        if (issues_.empty()) settle_cache(config);
        if (!issues_.empty()) throw ConfigError(report());
        return config;
    }

private:
    static constexpr uint32_t unknown_line = std::numeric_limits<uint32_t>::max();

    struct Issue {
        uint32_t line;
        std::string text;
    };

    void add(uint32_t line, std::string text) { issues_.push_back({line, file_.string() + ": " + std::move(text)}); }
    void add(const toml::node& n, std::string text) { add(n.source().begin.line, std::move(text)); }

    std::string report() {
        std::stable_sort(issues_.begin(), issues_.end(), [](const Issue& a, const Issue& b) { return a.line < b.line; });
        std::string out;
        for (size_t i = 0; i < issues_.size() && i < max_issues; ++i) out += (i ? "\n" : "") + issues_[i].text;
        if (issues_.size() > max_issues)
            out += "\n" + file_.string() + ": ... and " + std::to_string(issues_.size() - max_issues) + " more problems";
        return out;
    }

    void walk(const toml::table& table, const std::string& prefix, KioskConfig& config) {
        for (auto&& [k, node] : table) {
            const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
            if (k.str().find('.') != std::string_view::npos) {
                // "service.url" = ... in quotes is one key with a dot in its name, not url in [service].
                add(node, "key `" + key + "`: a quoted name holding '.' is one key, not a table and a key; "
                          "write it without quotes");
                continue;
            }
            seen_.insert(key);
            if (node.is_table()) tables_.insert(key);
            if (const KeySpec* spec = find_key(key)) {
                if (auto v = check(*spec, node)) {
                    spec->store(config, std::move(*v));
                    accepted_[key] = node.source().begin.line;
                }
            } else if (find_table(key)) {
                if (auto sub = node.as_table())
                    walk(*sub, key, config);
                else
                    add(node, "key `" + key + "`: must be a table, written [" + key + "] on a line of its own, " +
                                  found(node));
            } else {
                unknown(key, node);
            }
        }
    }

    void unknown(const std::string& key, const toml::node& node) {
        const bool is_table = node.is_table();
        std::string text = is_table ? "unknown table `[" + key + "]`" : "unknown key `" + key + "`";
        const std::string hint = suggestion(key);
        const std::string_view table = parent(key);
        if (!hint.empty()) {
            text += ": " + hint;
        } else if (is_table && table == "trust") {
            text += ": only ";
            std::string list;
            for (std::string_view p : parties) list += (list.empty() ? "`[trust." : " and `[trust.") + std::string(p) + "]`";
            text += list + " are allowed";
        } else if (table.empty()) {
            std::string tops;
            for (const auto& t : table_specs())
                if (parent(t.name).empty()) tops += (tops.empty() ? "`[" : ", `[") + t.name + "]`";
            text += is_table ? ": courtplay reads only " + tops
                             : ": settings belong in one of the tables " + tops;
        } else if (find_table(table)) {
            text += ": `[" + std::string(table) + "]` takes " + table_contents(table);
        } else {
            text += ": courtplay has no such setting";
        }
        add(node, std::move(text));
    }

    // The cache's folder and key default to places in the kiosk's own folder. The key must not be
    // inside the cache folder: whoever copies the cache off the disk must not get the key with it.
    void settle_cache(KioskConfig& config) {
        if (config.watermark.text_template.empty()) config.watermark.text_template = kDefaultWatermarkTemplate;
        if (config.audit.dir.empty()) config.audit.dir = config.state_dir / "journal";
        if (config.audit.key_file.empty()) config.audit.key_file = config.state_dir / "keys" / "audit.key";
        CacheConfig& c = config.cache;
        if (c.dir.empty()) c.dir = config.state_dir / "cache";
        if (c.key_file.empty()) c.key_file = config.state_dir / "keys" / "cache.key";
        // Compared as far as the file system lets this process see: the egress unit, root without
        // capabilities, may not look into the kiosk's own folders, and needs nothing in them.
        auto resolved = [](const fs::path& p) {
            std::error_code ec;
            fs::path r = fs::weakly_canonical(p, ec);
            return ec ? p.lexically_normal() : r;
        };
        const fs::path dir = resolved(c.dir), key = resolved(c.key_file);
        const auto [d, k] = std::mismatch(dir.begin(), dir.end(), key.begin(), key.end());
        if (d == dir.end())
            add(unknown_line, "key `cache.key_file`: must be outside the cache folder " + c.dir.string() +
                                  ", found " + c.key_file.string() +
                                  " (a copy of the cache must not carry its key); move it, e.g. to " +
                                  (config.state_dir / "keys" / "cache.key").string());
    }

    void check_missing() {
        for (const auto& t : table_specs()) {
            if (!t.required || seen_.count(t.name)) continue;  // present (as a table or, wrongly, not)
            std::string needs;
            for (const auto& s : key_specs())
                if (parent(s.key) == t.name && s.required) needs += (needs.empty() ? "`" : "`, `") + s.key;
            add(unknown_line, "table `[" + t.name + "]` is missing" +
                                  (needs.empty() ? std::string() : ": it must hold " + needs + "`"));
        }
        // A key is missing only from a table that is there: a missing table is reported once, above.
        for (const auto& s : key_specs())
            if (s.required && tables_.count(std::string(parent(s.key))) && !seen_.count(s.key))
                add(unknown_line, "key `" + s.key + "` is missing: expected " + s.expected);

        bool any_party = false;
        std::string both;
        for (std::string_view p : parties) {
            any_party = any_party || seen_.count("trust." + std::string(p));
            both += (both.empty() ? "`[trust." : " or `[trust.") + std::string(p) + "]`";
        }
        if (!any_party)
            add(unknown_line, "table " + both + " is missing: at least one party's grant issuer must be "
                              "trusted, each with `issuer` and `key`");
    }

    // The countdown must start before the session ends. Checked only when both values were
    // accepted (a missing one is its default): a refused value was reported already.
    void check_idle(const KioskConfig& config) {
        const auto warning = accepted_.find("ui.idle_warning_s");
        if (warning == accepted_.end() || (seen_.count("ui.idle_timeout_s") && !accepted_.count("ui.idle_timeout_s")))
            return;
        const UiConfig& ui = config.ui;
        if (ui.idle_warning_s < ui.idle_timeout_s) return;
        add(warning->second, "key `ui.idle_warning_s`: must be less than `ui.idle_timeout_s`, which is " +
                                 std::to_string(ui.idle_timeout_s) +
                                 (accepted_.count("ui.idle_timeout_s") ? "" : " (its default)") + ", found " +
                                 std::to_string(ui.idle_warning_s) +
                                 " (the countdown must start before the session ends)");
    }

    // Receivers are trusted only through the court CA: without it none could be paired with.
    void check_cast(const KioskConfig& config) {
        if (seen_.count("cast.court_ca")) return;  // there, and reported if it is wrong
        auto needs_ca = [&](const std::string& key) {
            add(accepted_.at(key), "key `" + key + "`: needs `cast.court_ca`, the court CA whose certificates prove "
                                   "a receiver is one of the court's screens; add it, or remove this key");
        };
        if (accepted_.count("cast.receivers")) needs_ca("cast.receivers");
        if (config.cast.find_receivers) needs_ca("cast.find_receivers");
    }

    // The console cannot also be a court screen: the room would see the clerk's controls.
    void check_displays(const KioskConfig& config) {
        const auto console = accepted_.find("displays.console");
        if (console == accepted_.end() || !accepted_.count("displays.court")) return;
        const auto& court = config.displays.court;
        if (std::find(court.begin(), court.end(), config.displays.console) == court.end()) return;
        add(console->second, "key `displays.console`: " + in_quotes(config.displays.console) +
                                 " is also in `displays.court`; the console must not be one of the court's "
                                 "screens (the room would see the clerk's controls)");
    }

    std::optional<Value> check(const KeySpec& spec, const toml::node& node) {
        auto wrong = [&](std::string_view reason = {}) -> std::optional<Value> {
            add(node, "key `" + spec.key + "`: must be " + spec.expected + ", " + found(node, reason));
            return std::nullopt;
        };
        if (spec.rule == Rule::PinHash) {
            // Never quoted back: it may be the PIN itself, typed where its hash belongs, and even a
            // damaged hash is most of one. auth::pin_hash_problem says what is wrong without it.
            auto s = node.as_string();
            if (s && s->get().empty()) return Value{};
            const std::optional<std::string> problem =
                s ? auth::pin_hash_problem(s->get()) : "is " + type_words(node);
            if (!problem) return Value{s->get()};
            add(node, "key `" + spec.key + "`: must be " + spec.expected + "; the one in the file (not shown) " +
                          *problem);
            return std::nullopt;
        }
        if (spec.rule == Rule::HostList || spec.rule == Rule::AddressList || spec.rule == Rule::DisplayList) {
            auto list = node.as_array();
            if (!list) return wrong();
            if (list->empty()) return wrong("an empty list");
            if (list->size() > size_t(spec.max)) return wrong(std::to_string(list->size()) + " entries");
            Value v;
            for (const toml::node& entry : *list) {
                auto host = entry.as_string();
                if (!host) return wrong("an entry is " + type_words(entry));
                std::string reason;
                const bool good = spec.rule == Rule::HostList      ? check_host(host->get(), reason)
                                  : spec.rule == Rule::AddressList ? check_address(host->get(), reason)
                                                                   : check_display(host->get(), reason);
                if (!good) return wrong(in_quotes(host->get()) + " " + reason);
                // Output names are the X server's, case and all.
                std::string h = spec.rule == Rule::DisplayList ? host->get() : lower(host->get());
                if (std::find(v.list.begin(), v.list.end(), h) != v.list.end())
                    return wrong(in_quotes(h) + " is listed twice");
                v.list.push_back(std::move(h));
            }
            return v;
        }
        if (spec.rule == Rule::Flag) {
            if (auto b = node.as_boolean()) return Value{{}, {}, b->get() ? 1 : 0};
            if (auto t = node.as_string(); t && (t->get() == "true" || t->get() == "false"))
                return wrong("a string: write true or false without quotes");
            return wrong();
        }
        if (spec.rule == Rule::Whole) {
            if (auto i = node.as_integer()) {
                if (i->get() < spec.min || i->get() > spec.max)
                    return wrong(i->get() < spec.min ? "too small" : "too large");
                return Value{{}, {}, i->get()};
            }
            if (auto s = node.as_string(); s && !s->get().empty() &&
                                          s->get().find_first_not_of("0123456789") == std::string::npos)
                return wrong("a string: write the number without quotes");
            return wrong();
        }

        auto s = node.as_string();
        if (!s) return wrong();
        const std::string& text = s->get();
        switch (spec.rule) {
            case Rule::Text: return Value{text};
            case Rule::Name:
                if (text.empty()) return wrong();
                return Value{text};
            case Rule::KioskId: {
                if (text.empty()) return wrong();
                if (text.size() > 64) return wrong(std::to_string(text.size()) + " characters");
                for (unsigned char ch : text)
                    if (!is_id_char(ch))
                        return wrong(ch >= 0x20 && ch < 0x7f ? std::string("'") + char(ch) + "' is not allowed"
                                                             : "has a character that is not allowed");
                return Value{text};
            }
            case Rule::ServiceUrl: {
                std::string url = text, reason;
                if (!check_service_url(url, reason)) return wrong(reason);
                return Value{url};
            }
            case Rule::SpkiPin: {
                std::string reason;
                if (!check_pins(text, reason)) return wrong(reason);
                return Value{text};
            }
            case Rule::ReadableFile: {
                if (text.empty()) return wrong();
                fs::path path = resolve(text);
                std::string reason;
                if (!readable_file(path, reason)) return wrong(shown_path(text, path) + reason);
                return Value{{}, path};
            }
            case Rule::Folder: {
                if (text.empty()) return wrong();
                fs::path path = resolve(text);
                std::error_code ec;
                auto st = fs::status(path, ec);
                if (fs::exists(st) && !fs::is_directory(st))
                    return wrong(shown_path(text, path) + "exists and is not a folder");
                return Value{{}, path};
            }
            case Rule::FilePath: {
                if (text.empty()) return wrong();
                fs::path path = resolve(text);
                std::error_code ec;
                if (fs::is_directory(path, ec)) return wrong(shown_path(text, path) + "is a folder, not a file");
                return Value{{}, path};
            }
            case Rule::WatermarkTemplate:
                if (auto problem = watermark_template_problem(text)) return wrong(*problem);
                return Value{text};
            case Rule::Choice:
                if (std::find(spec.choices.begin(), spec.choices.end(), text) != spec.choices.end()) return Value{text};
                if (std::find(spec.choices.begin(), spec.choices.end(), lower(text)) != spec.choices.end())
                    return wrong("write it in lower case");
                return wrong("not one of these");
            case Rule::DisplayName: {
                std::string reason;
                if (!check_display(text, reason)) return wrong(reason);
                return Value{text};
            }
            case Rule::Whole:
            case Rule::PinHash:
            case Rule::HostList:
            case Rule::AddressList:
            case Rule::DisplayList:
            case Rule::Flag: break;
        }
        return wrong();
    }

    fs::path resolve(const std::string& text) const {
        fs::path p(text);
        return (p.is_absolute() ? p : folder_ / p).lexically_normal();
    }

    // For a relative path, say where it was looked for: "ca/ca.pem is /etc/courtplay/ca/ca.pem, which ".
    static std::string shown_path(const std::string& text, const fs::path& resolved) {
        if (fs::path(text).is_absolute()) return "which ";
        return "which is " + resolved.string() + ", which ";
    }

    static bool readable_file(const fs::path& path, std::string& reason) {
        std::error_code ec;
        auto st = fs::status(path, ec);
        if (!fs::exists(st)) {
            reason = ec && ec != std::errc::no_such_file_or_directory ? "cannot be checked: " + ec.message()
                                                                       : "does not exist";
            return false;
        }
        if (fs::is_directory(st)) {
            reason = "is a folder, not a file";
            return false;
        }
        if (!fs::is_regular_file(st)) {
            reason = "is not a regular file";
            return false;
        }
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            reason = std::string("cannot be read: ") + std::strerror(errno);
            return false;
        }
        return true;
    }

    // https://host[:port] with an optional trailing '/', which is removed.
    static bool check_service_url(std::string& url, std::string& reason) {
        constexpr std::string_view scheme = "https://";
        if (lower(url.substr(0, scheme.size())) != scheme) {
            reason = lower(url.substr(0, 7)) == "http://" ? "plain http is not allowed: use https://"
                                                         : "does not start with https://";
            return false;
        }
        std::string rest = url.substr(scheme.size());
        if (!rest.empty() && rest.back() == '/') rest.pop_back();
        if (auto cut = rest.find_first_of("/?#"); cut != std::string::npos) {
            reason = "remove " + in_quotes(rest.substr(cut)) + ": the address must have no path, query or fragment";
            return false;
        }
        if (rest.find('@') != std::string::npos) {
            reason = "the address must not hold a user name or password";
            return false;
        }
        std::string host = rest, port;
        if (!host.empty() && host.front() == '[') {  // [IPv6]
            auto close = host.find(']');
            if (close == std::string::npos) {
                reason = "'[' without a closing ']'";
                return false;
            }
            port = host.substr(close + 1);
            host = host.substr(0, close + 1);
            if (host.size() == 2 || host.find_first_not_of("0123456789abcdefABCDEF:.", 1) != host.size() - 1) {
                reason = "not an IPv6 address between '[' and ']'";
                return false;
            }
            if (!port.empty() && port.front() != ':') {
                reason = "unexpected text after ']'";
                return false;
            }
            if (!port.empty()) port.erase(0, 1);
        } else if (auto colon = host.find(':'); colon != std::string::npos) {
            port = host.substr(colon + 1);
            host.erase(colon);
            if (port.empty()) {
                reason = "no port number after ':'";
                return false;
            }
        }
        if (host.empty()) {
            reason = "no host name";
            return false;
        }
        if (host.front() != '[' && host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                          "0123456789.-") != std::string::npos) {
            reason = "the host name may hold only letters, digits, '.' and '-'";
            return false;
        }
        if (!port.empty()) {
            if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
                std::stoi(port) < 1 || std::stoi(port) > 65535) {
                reason = "the port must be a number from 1 to 65535";
                return false;
            }
        }
        url = "https://" + lower(host) + (port.empty() ? "" : ":" + port);
        return true;
    }

    // A host name (letters, digits, '.', '-'; labels 1-63, at most 253 in all), an IPv4 address or an
    // IPv6 address without brackets. No port: NTP is always port 123.
    static bool check_display(const std::string& name, std::string& reason) {
        if (name.empty()) {
            reason = "is empty";
            return false;
        }
        if (name.size() > 32) {
            reason = "is " + std::to_string(name.size()) + " characters long";
            return false;
        }
        for (unsigned char ch : name)
            if (!is_id_char(ch)) {
                reason = "has a character an output name does not have";
                return false;
            }
        if (name.find_first_not_of("0123456789") == std::string::npos && (name[0] == '0' || name.size() > 2)) {
            reason = "is not a position: the first display is \"1\"";
            return false;
        }
        return true;
    }

    static bool check_host(const std::string& host, std::string& reason) {
        if (host.empty()) {
            reason = "is empty";
            return false;
        }
        if (host.find(':') != std::string::npos) {  // IPv6, or a name with a port
            if (host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos ||
                std::count(host.begin(), host.end(), ':') < 2) {
                reason = "has a ':': write a host name or an IP address without a port";
                return false;
            }
            return true;
        }
        if (host.size() > 253 || host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                        "0123456789.-") != std::string::npos) {
            reason = "is not a host name or an IP address (letters, digits, '.' and '-' only)";
            return false;
        }
        size_t start = 0;
        while (start <= host.size()) {
            size_t end = host.find('.', start);
            if (end == std::string::npos) end = host.size();
            const size_t label = end - start;
            if (label == 0 || label > 63 || host[start] == '-' || host[end - 1] == '-') {
                reason = "is not a host name: each part between dots must be 1 to 63 letters, digits or '-', "
                         "not starting or ending with '-'";
                return false;
            }
            start = end + 1;
        }
        return true;
    }

    // HOST:PORT, or [IPV6]:PORT, the port from 1 to 65535.
    static bool check_address(const std::string& text, std::string& reason) {
        const size_t colon = text.rfind(':');
        const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(port) < 1 || std::stoi(port) > 65535) {
            reason = "is not HOST:PORT with a port from 1 to 65535";
            return false;
        }
        std::string host = text.substr(0, colon);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        else if (host.find(':') != std::string::npos) {
            reason = "has an IPv6 address without brackets: write [ADDRESS]:PORT";
            return false;
        }
        return check_host(host, reason);
    }

    // Standard base64 of 32 bytes: 43 symbols, the last with its two low bits clear, then '='.
    static bool is_sha256_base64(std::string_view b64) {
        static constexpr std::string_view alphabet =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        if (b64.size() != 44 || b64[43] != '=') return false;
        for (size_t i = 0; i < 43; ++i)
            if (alphabet.find(b64[i]) == std::string_view::npos) return false;
        return alphabet.find(b64[42]) % 4 == 0;
    }

    static bool check_pins(std::string_view text, std::string& reason) {
        if (text.empty()) return true;
        constexpr std::string_view prefix = "sha256//";
        size_t n = 0;
        while (true) {
            ++n;
            auto end = text.find(';');
            std::string_view pin = text.substr(0, end);
            const std::string which = "pin " + std::to_string(n) + " ";
            if (pin.substr(0, prefix.size()) != prefix) {
                reason = which + "does not start with \"sha256//\"";
                return false;
            }
            if (!is_sha256_base64(pin.substr(prefix.size()))) {
                reason = which + "is not the base64 of 32 bytes after \"sha256//\"";
                return false;
            }
            if (end == std::string_view::npos) return true;
            text.remove_prefix(end + 1);
        }
    }

    fs::path file_, folder_;
    std::vector<Issue> issues_;
    std::set<std::string> seen_;    // every dotted key in the file, tables included
    std::set<std::string> tables_;  // those that are tables
    std::map<std::string, uint32_t> accepted_;  // keys whose value was checked and stored: their line
};

std::string read_whole_file(const fs::path& file) {
    const std::string where = file.string() + ": ";
    std::error_code ec;
    auto st = fs::status(file, ec);
    if (!fs::exists(st)) {
        if (ec && ec != std::errc::no_such_file_or_directory)
            throw ConfigError(where + "cannot read the configuration file: " + ec.message());
        throw ConfigError(where + "the configuration file does not exist");
    }
    if (fs::is_directory(st)) throw ConfigError(where + "is a folder, not a configuration file");
    if (!fs::is_regular_file(st)) throw ConfigError(where + "is not a regular file, so not a configuration file");
    if (auto size = fs::file_size(file, ec); !ec && size > max_file_bytes)
        throw ConfigError(where + "is " + std::to_string(size) + " bytes, more than a configuration file can be (1 MiB)");

    std::ifstream in(file, std::ios::binary);
    if (!in) throw ConfigError(where + "cannot read the configuration file: " + std::strerror(errno));
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) throw ConfigError(where + "cannot read the configuration file: " + std::strerror(errno));
    return std::move(content).str();
}

}  // namespace

KioskConfig load_kiosk_config(const std::filesystem::path& given) {
    if (given.empty()) throw ConfigError("no configuration file given");
    std::error_code ec;
    fs::path file = fs::absolute(given, ec);
    if (ec) file = given;

    const std::string content = read_whole_file(file);
    toml::table root;
    try {
        root = toml::parse(content, file.string());
    } catch (const toml::parse_error& e) {
        const auto& at = e.source().begin;
        throw ConfigError(file.string() + ": line " + std::to_string(at.line) + ", column " +
                          std::to_string(at.column) + ": not valid TOML: " + std::string(e.description()));
    }
    return Loader(file).load(root);
}

}  // namespace courtplay::config
