#pragma once
// Everything in klab::client: RAII wrappers over librdkafka's C API.
#include "klab/client/admin.hpp"
#include "klab/client/config.hpp"
#include "klab/client/config_keys.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/consumer_protocol.hpp"
#include "klab/client/error.hpp"
#include "klab/client/fwd.hpp"
#include "klab/client/headers.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/record.hpp"
#include "klab/client/topic_partition.hpp"
#include "klab/client/version.hpp"
