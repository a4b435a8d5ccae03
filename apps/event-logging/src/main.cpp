// The event-logging executable: every program of the practice system, picked by the name it is
// started by (the build links each name to it) or by the first argument.
#include "klab/apps/multicall.hpp"

int event_collector_main(int argc, char** argv);
int event_emitter_main(int argc, char** argv);
int event_search_main(int argc, char** argv);

int main(int argc, char** argv) {
  return klab::apps::dispatch(argc, argv,
                              {{"event-collector", event_collector_main},
                               {"event-emitter", event_emitter_main},
                               {"event-search", event_search_main}});
}
