// The front end's files from web_root; any other non-API path gets index.html (the page routes
// on the client). Without a built front end, a 503 page says how to build it.
#include <fmt/core.h>

#include <fstream>
#include <map>
#include <sstream>

#include "api_error.hpp"
#include "routes.hpp"

namespace klab::console {

namespace fs = std::filesystem;

namespace {

std::string content_type(const fs::path& file) {
  static const std::map<std::string, std::string> types{{".html", "text/html; charset=utf-8"},
                                                        {".js", "text/javascript; charset=utf-8"},
                                                        {".mjs", "text/javascript; charset=utf-8"},
                                                        {".css", "text/css; charset=utf-8"},
                                                        {".json", "application/json"},
                                                        {".map", "application/json"},
                                                        {".svg", "image/svg+xml"},
                                                        {".png", "image/png"},
                                                        {".jpg", "image/jpeg"},
                                                        {".jpeg", "image/jpeg"},
                                                        {".gif", "image/gif"},
                                                        {".ico", "image/x-icon"},
                                                        {".webp", "image/webp"},
                                                        {".woff", "font/woff"},
                                                        {".woff2", "font/woff2"},
                                                        {".ttf", "font/ttf"},
                                                        {".txt", "text/plain; charset=utf-8"},
                                                        {".md", "text/markdown; charset=utf-8"},
                                                        {".wasm", "application/wasm"}};
  auto it = types.find(file.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

void add_static_routes(httplib::Server& server, ServerContext& ctx) {
  server.Get(".*", [&ctx](const httplib::Request& req, httplib::Response& res) {
    const std::string& path = req.path;
    if (path == "/api" || path.starts_with("/api/"))
      return send_error(res, 404, "not_found",
                        fmt::format("no API endpoint GET {} (see docs/console.md)", path));
    fs::path root = ctx.options.web_root;
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
    fs::path rel = fs::path(path).relative_path();
    bool safe = true;
    for (const auto& part : rel)
      if (part == "..") safe = false;
    fs::path file = root / rel;
    if (!safe || rel.empty() || !fs::is_regular_file(file, ec)) file = root / "index.html";
    res.set_header("Cache-Control",
                   file.filename() == "index.html" ? "no-cache" : "public, max-age=3600");
    res.set_content(read_file(file), content_type(file).c_str());
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
