// The front end's files from web_root; any other non-API path gets index.html (the page routes
// on the client). Without a built front end, a 503 page says how to build it.
#include <fmt/core.h>

#include <fstream>
#include <sstream>

#include "api_error.hpp"
#include "routes.hpp"

namespace klab::console {

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

void add_static_routes(httplib::Server& server, ServerContext& ctx) {
  // Files are served by cpp-httplib's mount point (it refuses paths that climb out of the root);
  // only what it does not find reaches the handlers below.
  const fs::path root = ctx.options.web_root;
  server.set_mount_point("/", root.string());
  server.set_file_extension_and_mimetype_mapping("map", "application/json");
  server.set_file_extension_and_mimetype_mapping("md", "text/markdown; charset=utf-8");
  server.set_file_request_handler([](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", req.path == "/" || req.path.ends_with("/index.html")
                                        ? "no-cache"
                                        : "public, max-age=3600");
  });
  // Any other path is a page of the front end, which routes on the client: index.html.
  server.Get(".*", [root](const httplib::Request& req, httplib::Response& res) {
    const std::string& path = req.path;
    if (path == "/api" || path.starts_with("/api/"))
      return send_error(res, 404, "not_found",
                        fmt::format("no API endpoint GET {} (see docs/console.md)", path));
    std::error_code ec;
    if (!fs::is_regular_file(root / "index.html", ec)) {
      res.status = 503;
      res.set_content(fmt::format("The Kafka Lab console's web page is not built ({} has no "
                                  "index.html).\nrun scripts/setup to build the console, then "
                                  "reload this page.\nThe JSON API under /api works already.\n",
                                  root.string()),
                      "text/plain; charset=utf-8");
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_content(read_file(root / "index.html"), "text/html; charset=utf-8");
  });
  // Other methods on unknown paths: a JSON 404 rather than httplib's empty answer.
  auto unknown = [](const httplib::Request& req, httplib::Response& res) {
    send_error(res, 404, "not_found",
               fmt::format("no API endpoint {} {} (see docs/console.md)", req.method, req.path));
  };
  server.Post(".*", unknown);
  server.Put(".*", unknown);
  server.Delete(".*", unknown);
}

}  // namespace klab::console
