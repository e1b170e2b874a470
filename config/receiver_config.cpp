#include "config/receiver_config.h"

#include <toml++/toml.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include <sys/stat.h>

namespace courtplay::config {
namespace {

[[noreturn]] void refuse(const std::filesystem::path& file, const std::string& what) {
    throw ConfigError(file.string() + ": " + what);
}

bool is_host_port(const std::string& s) {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) return false;
    const std::string port = s.substr(colon + 1);
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
    const int p = std::stoi(port);
    return p >= 1 && p <= 65535 && s.substr(0, colon).find_first_of("?&/@ ") == std::string::npos;
}

}  // namespace

ReceiverConfig load_receiver_config(const std::filesystem::path& file) {
    toml::table root;
    try {
        root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        std::ostringstream where;
        where << e.source().begin;
        refuse(file, std::string(e.description()) + " (" + where.str() + ")");
    }
    ReceiverConfig out;
    out.file = file;
    for (const auto& [key, node] : root)
        if (key.str() != "receiver")
            refuse(file, (node.is_table() ? "unknown table `[" : "unknown key `") + std::string(key.str()) +
                             (node.is_table() ? "]`" : "`") + ": a receiver's file has only [receiver]");
    const toml::table* r = root["receiver"].as_table();
    if (!r) refuse(file, "table `[receiver]` is missing: it needs at least `name`");
    for (const auto& [key, node] : *r) {
        const std::string k(key.str());
        if (k == "name") {
            const auto v = node.value<std::string>();
            bool printable = v && !v->empty() && v->size() <= 64;
            for (unsigned char c : v.value_or("")) printable = printable && c >= 0x20 && c != 0x7f;
            if (!printable) refuse(file, "key `receiver.name`: must be text of 1 to 64 printable characters");
            out.name = *v;
        } else if (k == "listen") {
            const auto v = node.value<std::string>();
            if (!v || !is_host_port(*v)) refuse(file, "key `receiver.listen`: must be HOST:PORT, e.g. \"0.0.0.0:7700\"");
            out.listen = *v;
        } else if (k == "latency_ms") {
            const auto v = node.value<int64_t>();
            if (!node.is_integer() || !v || *v < 20 || *v > 8000)
                refuse(file, "key `receiver.latency_ms`: must be a whole number of milliseconds from 20 to 8000");
            out.latency_ms = static_cast<int>(*v);
        } else if (k == "certificate" || k == "private_key") {
            const auto v = node.value<std::string>();
            if (!v || v->empty()) refuse(file, "key `receiver." + k + "`: must be the path of a PEM file");
            std::filesystem::path path(*v);
            if (path.is_relative()) path = file.parent_path() / path;
            (k == "certificate" ? out.certificate : out.private_key) = path;
        } else {
            refuse(file, "unknown key `receiver." + k +
                             "`: expected name, listen, latency_ms, certificate or private_key");
        }
    }
    if (out.name.empty()) refuse(file, "key `receiver.name` is missing: expected the name shown on the idle screen");
    if (out.certificate.empty() != out.private_key.empty())
        refuse(file, std::string("key `receiver.") + (out.certificate.empty() ? "certificate" : "private_key") +
                         "` is missing: pairing needs both the certificate and its private key");
    if (!out.private_key.empty()) {
        struct stat st {};
        if (::stat(out.private_key.c_str(), &st) != 0)
            refuse(file, "key `receiver.private_key`: cannot read " + out.private_key.string() + ": " + std::strerror(errno));
        if ((st.st_mode & 077) != 0)
            refuse(file, "key `receiver.private_key`: " + out.private_key.string() +
                             " can be read by other users; make it owner-only (chmod 600)");
    }
    return out;
}

}  // namespace courtplay::config
