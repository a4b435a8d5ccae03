#include "klab/lab/app_catalog.hpp"

namespace klab::lab {

const std::vector<AppSpec>& app_catalog() {
  static const std::vector<AppSpec> catalog{
      {.name = "event-logging",
       .roadmap_id = "project.1",
       .title = "이벤트 로깅 시스템: 서비스 이벤트 → Kafka → collector → PostgreSQL, 검색",
       .needs_postgres = true,
       .programs =
           {
               {"collector", {"event-collector"}},
               {"checkout", {"event-emitter", "--service", "checkout", "--rate", "5"}},
               {"search", {"event-emitter", "--service", "search", "--rate", "10"}},
               {"payments", {"event-emitter", "--service", "payments", "--rate", "2"}},
           },
       .try_next = "{bin}/event-search --level WARN --limit 20"},
  };
  return catalog;
}

std::optional<AppSpec> find_app(const std::string& name) {
  for (const auto& a : app_catalog())
    if (a.name == name) return a;
  return std::nullopt;
}

std::filesystem::path app_program_dir(const std::filesystem::path& klab_executable,
                                      const std::string& app) {
  return klab_executable.parent_path().parent_path().parent_path() / "apps" / app;
}

klab::cluster::Postgres lab_postgres(const klab::cluster::LabPaths& paths, std::uint16_t port) {
  return klab::cluster::Postgres({.dir = paths.state_dir.parent_path() / "postgres", .port = port});
}

}  // namespace klab::lab
