#include "request_guard.hpp"

#include "api_error.hpp"
#include "klab/console/console_server.hpp"

namespace klab::console {
namespace {

constexpr const char* token_cookie = "klab_console_token";

bool is_mutating(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

bool host_allowed(const std::string& host_header, const GuardOptions& o) {
  auto port = std::to_string(o.port());
  for (std::string_view name : {std::string_view("127.0.0.1"), std::string_view("localhost"),
                                std::string_view("[::1]"), std::string_view(o.bound_host)})
    if (host_header == std::string(name) + ":" + port) return true;
  return false;
}

std::string cookie_value(const httplib::Request& req, const std::string& name) {
  auto cookies = req.get_header_value("Cookie");
  auto key = name + "=";
  for (std::size_t pos = 0; pos < cookies.size();) {
    auto end = cookies.find(';', pos);
    if (end == std::string::npos) end = cookies.size();
    auto item = cookies.substr(pos, end - pos);
    item.erase(0, item.find_first_not_of(' '));
    if (item.rfind(key, 0) == 0) return item.substr(key.size());
    pos = end + 1;
  }
  return "";
}

bool token_ok(const httplib::Request& req, httplib::Response& res, const std::string& token) {
  if (req.get_header_value("Authorization") == "Bearer " + token) return true;
  if (cookie_value(req, token_cookie) == token) return true;
  if (req.has_param("token") && req.get_param_value("token") == token) {
    res.set_header("Set-Cookie",
                   std::string(token_cookie) + "=" + token + "; HttpOnly; SameSite=Strict; Path=/");
    return true;
  }
  return false;
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::function<httplib::Server::HandlerResponse(const httplib::Request&, httplib::Response&)>
request_guard(GuardOptions options) {
  return [o = std::move(options)](const httplib::Request& req, httplib::Response& res) {
    using R = httplib::Server::HandlerResponse;
    auto host = req.get_header_value("Host");
    if (!host_allowed(host, o)) {
      send_error(res, 421, "wrong_host",
                 "this console answers only to its own address (Host: " + host +
                     " is not it): open http://127.0.0.1:" + std::to_string(o.port()) + "/");
      return R::Handled;
    }
    if (!o.access_token.empty() && !token_ok(req, res, o.access_token)) {
      send_error(res, 401, "token_required",
                 "this console listens on " + o.bound_host +
                     ": open the URL with ?token=... that `klab console` printed at start");
      return R::Handled;
    }
    if (!is_mutating(req.method)) return R::Unhandled;
    auto origin = req.get_header_value("Origin");
    auto fetch_site = req.get_header_value("Sec-Fetch-Site");
    bool same_origin = origin.empty() || origin == "http://" + host;
    bool same_site = fetch_site.empty() || fetch_site == "same-origin" || fetch_site == "none";
    if (!same_origin || !same_site) {
      send_error(res, 403, "cross_origin",
                 "refused a " + req.method +
                     " from another site (Origin: " + (origin.empty() ? "-" : origin) +
                     ", Sec-Fetch-Site: " + (fetch_site.empty() ? "-" : fetch_site) +
                     "): only the console's own page may change the cluster");
      return R::Handled;
    }
    auto type = req.get_header_value("Content-Type");
    if (req.method == "POST" && type.rfind("application/json", 0) != 0) {
      send_error(res, 415, "json_required",
                 "POST needs Content-Type: application/json (got '" + type +
                     "'): the console's page sends JSON, a cross-site form cannot");
      return R::Handled;
    }
    return R::Unhandled;
  };
}

}  // namespace klab::console
