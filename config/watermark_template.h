// The watermark's text template (`[watermark] template` in kiosk.toml): placeholders in braces,
// filled from the grant and the session. The watermark stage fills {utc} itself, every second.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace courtplay::config {

// Party, case and share; where it was shown, in which session; when. Short lines, so the letters
// can be large: the font shrinks to fit the widest line.
inline constexpr const char* kDefaultWatermarkTemplate =
    "{party} \u00b7 {case_ref} \u00b7 share {share_id}\nkiosk {kiosk_id} \u00b7 session {session_id}\n{utc}";

// What is wrong with a template, in words for the config's error message; nullopt when it is good.
// It must name {party}, {share_id} and {session_id}: a leaked picture has to say whose it was.
std::optional<std::string> watermark_template_problem(const std::string& text);

// Fills every placeholder but {utc} from `values` ("party" -> "CPS"). A grant's own label, when
// there is one and the template has no {label}, goes on a first line of its own.
std::string fill_watermark_template(const std::string& text, const std::map<std::string, std::string>& values);

}  // namespace courtplay::config
