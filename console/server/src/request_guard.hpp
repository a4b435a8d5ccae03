#pragma once
// The console listens on loopback, but any web page the learner opens can send requests to
// loopback. Before any route runs, this refuses what only another site (or a DNS-rebound name)
// would send, and on a non-loopback address it asks for the access token printed at start.
#include <httplib.h>

#include <functional>
#include <string>

namespace klab::console {

struct GuardOptions {
  std::string bound_host;     ///< the address the console listens on
  std::function<int()> port;  ///< the bound port (known once listening)
  std::string access_token;   ///< "" on loopback; required otherwise
};

/// httplib pre-routing handler: Handled (with a JSON 4xx) for a refused request, else Unhandled.
/// - Host must name the console itself (127.0.0.1, localhost, [::1] or the bound address, with
///   its port): anything else is DNS rebinding or a misdirected request (421).
/// - POST, PUT, PATCH and DELETE must not come from another origin (Origin, Sec-Fetch-Site:
///   403) and must send Content-Type application/json, which a cross-site form or a no-cors
///   fetch cannot (415).
/// - With an access token, every request must carry it: `Authorization: Bearer <t>`, the
///   klab_console_token cookie, or ?token=<t> once (which sets the cookie) (401).
std::function<httplib::Server::HandlerResponse(const httplib::Request&, httplib::Response&)>
request_guard(GuardOptions options);

}  // namespace klab::console
