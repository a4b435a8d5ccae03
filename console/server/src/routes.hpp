#pragma once
// What the route groups share, and one registration function per group of endpoints.
#include <httplib.h>

#include <cstdint>

#include "cluster_access.hpp"
#include "cluster_snapshot.hpp"
#include "event_hub.hpp"
#include "klab/console/console_server.hpp"
#include "metrics_collector.hpp"

namespace klab::console {

struct ServerContext {
  const ConsoleOptions& options;
  ClusterAccess& access;
  ClusterRefresher& refresher;
  MetricsCollector& metrics;
  EventHub& events;
  std::int64_t started_at_ms = 0;
};

void add_status_routes(httplib::Server& server,
                       ServerContext& ctx);  // config, overview, events, metrics
void add_topic_routes(httplib::Server& server, ServerContext& ctx);    // topics CRUD and configs
void add_message_routes(httplib::Server& server, ServerContext& ctx);  // browse, tail, produce
void add_group_routes(httplib::Server& server, ServerContext& ctx);
void add_lessons_routes(httplib::Server& server, ServerContext& ctx);   // roadmap and guides
void add_security_routes(httplib::Server& server, ServerContext& ctx);  // ACLs and SCRAM users
void add_doctor_routes(httplib::Server& server, ServerContext& ctx);    // the checklist (8.3.4)
void add_schema_routes(httplib::Server& server, ServerContext& ctx);    // registry subjects (8.1.2)
/// Static files of the front end; registered last (it answers every other GET).
void add_static_routes(httplib::Server& server, ServerContext& ctx);

}  // namespace klab::console
