// `courtplay audit list` and `courtplay audit flush` (docs/audit.md).
#pragma once

#include <string>

namespace courtplay::kiosk {

// The local journal as JSON lines on stdout, each event with "delivered". 0; 2 bad config;
// 7 the journal is damaged (what checks is printed first).
int run_audit_list(const std::string& config_file);

// Delivers the backlog now. 0 when nothing is left undelivered; 5 when the service cannot be
// reached or refuses before `timeout_s`; 7 the journal cannot be opened.
int run_audit_flush(const std::string& config_file, int timeout_s);

}  // namespace courtplay::kiosk
