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
      {.name = "orders",
       .roadmap_id = "project.2",
       .title = "주문 처리 시스템: 주문 → 결제 → 배송 saga, transaction으로 exactly-once",
       .programs =
           {
               {"order-service", {"order-service"}},
               {"payment-service", {"payment-service", "--work-ms", "20"}},
               {"shipping-service", {"shipping-service"}},
               {"order-client", {"order-client", "--rate", "5"}},
           },
       .try_next = "{bin}/order-status"},
      {.name = "notifications",
       .roadmap_id = "project.3",
       .title = "실시간 알림 시스템: 사용자 활동 → window 규칙(changelog state) → 브라우저(SSE)",
       .programs =
           {
               {"rules", {"notify-rules"}},
               {"web", {"notify-web"}},
               {"activity", {"notify-activity"}},
           },
       .try_next = "open http://127.0.0.1:8095/?user=alice (or bob, carol, dave)"},
      {.name = "pipeline",
       .roadmap_id = "project.4",
       .title = "데이터 파이프라인: 파일·DB 테이블(Connect)·HTTP → 검증·join·enrich → PostgreSQL",
       .needs_postgres = true,
       .needs_connect = true,
       .setup = {{"pipeline-setup", {"pipeline-setup", "--file", "{state}/store-sales.jsonl"}}},
       .programs =
           {
               {"ingest", {"pipeline-ingest"}},
               {"stream", {"pipeline-stream"}},
               {"sink", {"pipeline-sink"}},
               {"feed", {"pipeline-feed", "--file", "{state}/store-sales.jsonl"}},
           },
       .try_next = "psql 'host=127.0.0.1 port=15432 user=klab dbname=pipeline_sink' -c 'SELECT "
                   "category, channel, count(*), sum(amount_cents) FROM sales GROUP BY 1, 2'"},
      {.name = "cdc",
       .roadmap_id = "project.5",
       .title = "Change Data Capture: PostgreSQL → Debezium(Kafka Connect) → replica와 집계 view",
       .needs_postgres = true,
       .needs_connect = true,
       .setup = {{"cdc-setup", {"cdc-setup"}}},
       .programs =
           {
               {"materializer", {"cdc-materializer"}},
               {"workload", {"cdc-workload"}},
           },
       .try_next = "psql 'host=127.0.0.1 port=15432 user=klab dbname=shop_replica' -c 'SELECT * "
                   "FROM customer_totals ORDER BY total_cents DESC LIMIT 5'"},
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

klab::cluster::KafkaConnect lab_connect(const klab::cluster::LabPaths& paths,
                                        const std::string& bootstrap, int replication_factor) {
  return klab::cluster::KafkaConnect(paths, {.bootstrap = bootstrap,
                                             .dir = paths.state_dir.parent_path() / "connect",
                                             .rest_port = default_connect_port,
                                             .replication_factor = replication_factor});
}

}  // namespace klab::lab
