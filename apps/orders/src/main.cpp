// The orders executable: every program of the practice system, picked by the name it is
// started by (the build links each name to it) or by the first argument.
#include "klab/apps/multicall.hpp"

int order_service_main(int argc, char** argv);
int payment_service_main(int argc, char** argv);
int shipping_service_main(int argc, char** argv);
int order_client_main(int argc, char** argv);
int order_status_main(int argc, char** argv);

int main(int argc, char** argv) {
  return klab::apps::dispatch(argc, argv,
                              {{"order-service", order_service_main},
                               {"payment-service", payment_service_main},
                               {"shipping-service", shipping_service_main},
                               {"order-client", order_client_main},
                               {"order-status", order_status_main}});
}
