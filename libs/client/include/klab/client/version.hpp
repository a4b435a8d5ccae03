#pragma once
// The librdkafka version: the one compiled against (for feature gates) and the one loaded.
#include <librdkafka/rdkafka.h>

#include <string>

/// True when the librdkafka headers are at least maj.min.patch (pre-releases of that version
/// count). RD_KAFKA_VERSION is 0xMMmmrrxx, xx = 0xff for a final release.
#define KLAB_RDKAFKA_AT_LEAST(maj, min, patch) \
  (RD_KAFKA_VERSION >= (((maj) << 24) | ((min) << 16) | ((patch) << 8)))

namespace klab::client {

/// The loaded librdkafka's version, e.g. "2.0.2". Errors: none.
std::string librdkafka_version();
/// The loaded librdkafka's version number in RD_KAFKA_VERSION form. Errors: none.
int librdkafka_version_number() noexcept;

}  // namespace klab::client
