#pragma once
// Points in time as people type them: one parser, so the CLI and the console accept exactly
// the same forms and refuse exactly the same mistakes.
#include <cstdint>
#include <string_view>

namespace klab::lab {

/// Milliseconds since the Unix epoch from either that number ("1795514400000") or an ISO 8601
/// date and time with a zone: "2026-11-24T10:00:00Z", "2026-11-24T19:00:00.250+09:00",
/// "2026-11-24T10:00Z" (seconds and fraction optional; a space may stand for the 'T').
/// Refused: a missing zone, a day the month does not have (2026-02-31, 2027-02-29), hour 24,
/// minute or second 60 (Kafka timestamps have no leap seconds), a zone beyond +-18:00, and any
/// time before the epoch.
/// `what` names the input ("--to-datetime", "timestamp_ms") in the message.
/// Errors: LabError invalid_input naming `what`, the text, what is wrong and the accepted forms.
std::int64_t parse_time_ms(std::string_view what, std::string_view text);

}  // namespace klab::lab
