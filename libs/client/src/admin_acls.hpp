#pragma once
// CreateAcls / DescribeAcls / DeleteAcls over librdkafka's Admin API, for Admin's ACL calls.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <vector>

#include "klab/client/acl.hpp"
#include "klab/client/error.hpp"

namespace klab::client::detail {

std::vector<Error> create_acls(rd_kafka_t* rk, const std::vector<AclBinding>& acls,
                               std::chrono::milliseconds timeout);
std::vector<AclBinding> describe_acls(rd_kafka_t* rk, const AclBindingFilter& filter,
                                      std::chrono::milliseconds timeout);
std::vector<AclBinding> delete_acls(rd_kafka_t* rk, const AclBindingFilter& filter,
                                    std::chrono::milliseconds timeout);

}  // namespace klab::client::detail
