// The cluster these lessons run on: one secured node, as `klab up --secure --nodes 1` starts it
// (SASL_PLAINTEXT, SASL_SSL and mTLS listeners, StandardAuthorizer). For the SCRAM-vs-PLAIN
// lesson its SASL_PLAINTEXT listener also accepts PLAIN for one lesson-only user; for the TLS
// lesson its SASL_SSL listener presents a certificate made for another host name.
#include "klab/testing/test_cluster.hpp"
#include "security_lesson.hpp"

KLAB_TEST_CLUSTER(.nodes = 1,
                  .broker_properties =
                      {{"listener.name.client_sasl.sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN"},
                       {"listener.name.client_sasl.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required user_" +
                            std::string(klab::lessons::plain_user) + "=\"" +
                            klab::lessons::plain_password + "\";"},
                       // PLAIN over TLS for the TLS lesson: librdkafka 2.0.2 cannot SCRAM
                       // with Kafka 4 (01_sasl_test.cpp), and this listener's certificate is
                       // made for another host.
                       {"listener.name.client_sasl_ssl.sasl.enabled.mechanisms",
                        "SCRAM-SHA-512,PLAIN"},
                       {"listener.name.client_sasl_ssl.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required user_" +
                            std::string(klab::lessons::plain_user) + "=\"" +
                            klab::lessons::plain_password + "\";"},
                       {"listener.name.client_sasl_ssl.ssl.keystore.location",
                        "${security_dir}/wrong-host.keystore.pem"}},
                  .secure = true);
