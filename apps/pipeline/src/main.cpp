// The pipeline executable: every program of the practice system, picked by the name it is
// started by (the build links each name to it) or by the first argument.
#include "klab/apps/multicall.hpp"

int pipeline_setup_main(int argc, char** argv);
int pipeline_ingest_main(int argc, char** argv);
int pipeline_stream_main(int argc, char** argv);
int pipeline_sink_main(int argc, char** argv);
int pipeline_feed_main(int argc, char** argv);

int main(int argc, char** argv) {
  return klab::apps::dispatch(argc, argv,
                              {{"pipeline-setup", pipeline_setup_main},
                               {"pipeline-ingest", pipeline_ingest_main},
                               {"pipeline-stream", pipeline_stream_main},
                               {"pipeline-sink", pipeline_sink_main},
                               {"pipeline-feed", pipeline_feed_main}});
}
