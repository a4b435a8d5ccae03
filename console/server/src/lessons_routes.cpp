// The learning roadmap with each item's test status (roadmap.json joined with the GoogleTest
// reports, as `klab progress` shows it) and the Korean guides it links to.
#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "api_error.hpp"
#include "klab/lab/roadmap.hpp"
#include "routes.hpp"

namespace klab::console {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* status_text(klab::lab::ItemState s) {
  switch (s) {
    case klab::lab::ItemState::passed:
      return "pass";
    case klab::lab::ItemState::failed:
      return "fail";
    case klab::lab::ItemState::checked_statically:
      return "static";
    case klab::lab::ItemState::not_run:
      return "missing";
    default:
      return "none";
  }
}

struct Guide {
  std::string path;   // "lessons/p7_tuning/README.md"
  std::string title;  // its first heading, "Phase 7.1: 성능 튜닝 — ..."
};

// lessons/p<id>_<name>/README.md for phase <id>, sorted by folder: a phase may have several
// (7.1 tuning, 7.2 monitoring).
std::vector<Guide> phase_guides(const fs::path& home, const std::string& phase_id) {
  std::vector<Guide> out;
  std::error_code ec;
  std::string prefix = "p" + phase_id + "_";
  for (const auto& entry : fs::directory_iterator(home / "lessons", ec)) {
    auto name = entry.path().filename().string();
    if (!entry.is_directory() || !name.starts_with(prefix) ||
        !fs::is_regular_file(entry.path() / "README.md"))
      continue;
    std::ifstream in(entry.path() / "README.md");
    std::string first;
    std::getline(in, first);
    if (first.starts_with("# ")) first.erase(0, 2);
    out.push_back({"lessons/" + name + "/README.md", first});
  }
  std::sort(out.begin(), out.end(), [](const Guide& a, const Guide& b) { return a.path < b.path; });
  return out;
}

// The guide of an item: the phase's guide whose title names the item's section ("Phase 7.1"
// for section "7.1 성능 튜닝"), else the phase's first guide.
json guide_of(const std::vector<Guide>& guides, const std::string& section) {
  if (guides.empty()) return nullptr;
  auto number = section.substr(0, section.find(' '));
  for (const auto& g : guides)
    if (g.title.starts_with("Phase " + number + ":")) return g.path;
  return guides.front().path;
}

json lessons_json(const ConsoleOptions& options) {
  klab::lab::Roadmap roadmap;
  try {
    roadmap = klab::lab::Roadmap::load(options.roadmap_file);
  } catch (const std::exception& e) {
    throw not_found(
        fmt::format("the roadmap cannot be read ({}): run the console from the lab "
                    "(`klab console`)",
                    e.what()));
  }
  auto reports = klab::lab::evaluate(roadmap, klab::lab::load_results(options.results_dir));
  fs::path home = options.roadmap_file.parent_path();
  int pass = 0, fail = 0, checked_statically = 0, missing = 0;
  json phases = json::array();
  for (const auto& phase : roadmap.phases) {
    auto guides = phase_guides(home, phase.id);
    json items = json::array();
    for (const auto& r : reports) {
      if (r.item->phase != phase.id) continue;
      auto status = status_text(r.state);
      pass += r.state == klab::lab::ItemState::passed;
      fail += r.state == klab::lab::ItemState::failed;
      checked_statically += r.state == klab::lab::ItemState::checked_statically;
      missing += r.state == klab::lab::ItemState::not_run;
      json item{{"id", r.item->id},
                {"section", r.item->section},
                {"title", r.item->title},
                {"status", status},
                {"tests", r.item->tests},
                {"static_checks", r.item->static_checks},
                {"guide", guide_of(guides, r.item->section)}};
      if (!r.reason.empty()) item["reason"] = r.reason;
      items.push_back(std::move(item));
    }
    phases.push_back({{"id", phase.id},
                      {"title", phase.title},
                      {"guide", guides.empty() ? json() : json(guides.front().path)},
                      {"guides",
                       [&] {
                         json all = json::array();
                         for (const auto& g : guides)
                           all.push_back({{"path", g.path}, {"title", g.title}});
                         return all;
                       }()},
                      {"items", items}});
  }
  return {{"summary",
           {{"pass", pass},
            {"fail", fail},
            {"static", checked_statically},
            {"missing", missing},
            {"total", reports.size()}}},
          {"phases", phases}};
}

// Only lessons/**.md and docs/**.md under the lab home, never a path that climbs out of it.
fs::path guide_file(const ConsoleOptions& options, const std::string& rel) {
  auto refuse = [&] {
    return not_found(
        fmt::format("no guide '{}': guides are .md files under lessons/ or docs/", rel));
  };
  if (!(rel.starts_with("lessons/") || rel.starts_with("docs/")) || !rel.ends_with(".md") ||
      rel.find('\\') != std::string::npos || rel.find('\0') != std::string::npos)
    throw refuse();
  fs::path relative(rel);
  for (const auto& part : relative)
    if (part == ".." || part == ".") throw refuse();
  std::error_code ec;
  fs::path home = options.roadmap_file.parent_path();
  fs::path top = *relative.begin();  // lessons or docs
  fs::path root = fs::weakly_canonical(home / top, ec);
  fs::path file = fs::weakly_canonical(home / relative, ec);
  if (ec || !fs::is_regular_file(file)) throw refuse();
  // A symlink inside could still point elsewhere: the resolved file must stay under the root.
  auto [r, f] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  if (r != root.end()) throw refuse();
  return file;
}

// A picture the guides show: <dir>/<name>.svg or .png under the lab home (bench/reports for
// charts, docs/images for screenshots), a plain file name only.
fs::path guide_image(const ConsoleOptions& options, const std::string& dir,
                     const std::string& name) {
  auto refuse = [&] {
    return not_found(fmt::format("no image '{}': images are .svg or .png files in {}/", name, dir));
  };
  bool plain = !name.empty() && name.front() != '.' &&
               std::all_of(name.begin(), name.end(), [](unsigned char c) {
                 return std::isalnum(c) || c == '_' || c == '-' || c == '.';
               });
  if (!plain || !(name.ends_with(".svg") || name.ends_with(".png"))) throw refuse();
  auto file = options.roadmap_file.parent_path() / dir / name;
  if (!fs::is_regular_file(file)) throw refuse();
  return file;
}

void send_image(httplib::Response& res, const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  // Opened on its own, an SVG is a document of this origin: it may not run script.
  res.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(bytes.str(), file.extension() == ".svg" ? "image/svg+xml" : "image/png");
}

}  // namespace

void add_lessons_routes(httplib::Server& server, ServerContext& ctx) {
  server.Get("/api/lessons", guarded([&ctx](const httplib::Request&, httplib::Response& res) {
               send_json(res, lessons_json(ctx.options));
             }));
  server.Get(R"(/api/guides/(.+))",
             guarded([&ctx](const httplib::Request& req, httplib::Response& res) {
               auto file = guide_file(ctx.options, req.matches[1]);
               std::ifstream in(file, std::ios::binary);
               std::ostringstream text;
               text << in.rdbuf();
               res.set_content(text.str(), "text/markdown; charset=utf-8");
             }));
  server.Get(R"(/api/reports/(.+))",
             guarded([&ctx](const httplib::Request& req, httplib::Response& res) {
               send_image(res, guide_image(ctx.options, "bench/reports", req.matches[1]));
             }));
  server.Get(R"(/api/doc-images/(.+))",
             guarded([&ctx](const httplib::Request& req, httplib::Response& res) {
               send_image(res, guide_image(ctx.options, "docs/images", req.matches[1]));
             }));
}

}  // namespace klab::console
