// `courtplay admin pin-hash` (docs/config.md, "Admin PIN").
#pragma once

namespace courtplay::kiosk {

// Reads a new admin PIN twice from standard input (echo off when it is a terminal; from a pipe,
// the first two lines) and prints `pin_hash = "scrypt$..."`, the line for [admin] in kiosk.toml.
// Exit codes: 0; 2 when no PIN is given, it is not 6-12 digits or the two differ (nothing is
// printed on stdout); 1 when OpenSSL cannot make the hash.
int run_admin_pin_hash();

}  // namespace courtplay::kiosk
