#include "kiosk/receivers_command.h"

#include "cast/dns_sd.h"
#include "cast/paired_receiver.h"
#include "cast/stream_format.h"
#include "config/kiosk_config.h"
#include "kiosk/exit_codes.h"

#include <cstdio>

namespace courtplay::kiosk {

int run_receivers(const std::string& config_file, bool find) {
    config::KioskConfig cfg;
    try {
        cfg = config::load_kiosk_config(config_file);
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return exit_code::bad_arguments;
    }
    if (cfg.cast.court_ca.empty() || (cfg.cast.receivers.empty() && !find)) {
        std::fprintf(stderr,
                     "courtplay: %s lists no courtroom receivers: [cast] needs court_ca and receivers (docs/cast.md); "
                     "--find looks for them on the network\n",
                     cfg.file.string().c_str());
        return exit_code::bad_arguments;
    }
    int code = exit_code::ok;
    for (const std::string& address : cfg.cast.receivers) {
        try {
            const cast::ReceiverStatus st = cast::ask_receiver_status(cast::parse_host_port(address, "receiver"), cfg.cast.court_ca);
            std::printf("%s\t%s\t%s (certificate: %s)\n", address.c_str(), st.name.c_str(),
                        st.casting ? "casting" : "ready to pair", st.certified_as.c_str());
        } catch (const cast::CastError& e) {
            std::printf("%s\t-\tnot available: %s\n", address.c_str(), e.what());
            code = exit_code::network;
        }
    }
    if (!find) return code;
    try {
        // Found is not trusted: pairing checks the certificate, as above, against the address used.
        for (const cast::FoundReceiver& r : cast::find_receivers(std::chrono::seconds(2))) {
            std::printf("found\t%s\t%s (%s)\n", r.name.c_str(), cast::host_port_text(r.address, r.port).c_str(),
                        r.host.c_str());
        }
    } catch (const cast::CastError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        code = exit_code::network;
    }
    return code;
}

}  // namespace courtplay::kiosk
