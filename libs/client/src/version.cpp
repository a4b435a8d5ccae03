#include "klab/client/version.hpp"

namespace klab::client {

std::string librdkafka_version() { return rd_kafka_version_str(); }
int librdkafka_version_number() noexcept { return rd_kafka_version(); }

}  // namespace klab::client
