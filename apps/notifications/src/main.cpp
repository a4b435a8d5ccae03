// The notifications executable: every program of the practice system, picked by the name it is
// started by (the build links each name to it) or by the first argument.
#include "klab/apps/multicall.hpp"

int notify_rules_main(int argc, char** argv);
int notify_web_main(int argc, char** argv);
int notify_activity_main(int argc, char** argv);

int main(int argc, char** argv) {
  return klab::apps::dispatch(argc, argv,
                              {{"notify-rules", notify_rules_main},
                               {"notify-web", notify_web_main},
                               {"notify-activity", notify_activity_main}});
}
