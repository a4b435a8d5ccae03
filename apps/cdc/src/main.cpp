// The cdc executable: every program of the practice system, picked by the name it is
// started by (the build links each name to it) or by the first argument.
#include "klab/apps/multicall.hpp"

int cdc_setup_main(int argc, char** argv);
int cdc_materializer_main(int argc, char** argv);
int cdc_workload_main(int argc, char** argv);

int main(int argc, char** argv) {
  return klab::apps::dispatch(argc, argv,
                              {{"cdc-setup", cdc_setup_main},
                               {"cdc-materializer", cdc_materializer_main},
                               {"cdc-workload", cdc_workload_main}});
}
