package dev.kafkalab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kafkalab.spring.config.LabClusterEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.mock.env.MockEnvironment;

/**
 * The lab's KLAB_CLIENT_PROPERTIES file (librdkafka's names, what the C++ programs read) mapped
 * to Spring's properties, checked on Boot's own KafkaProperties. The live proof is the interop
 * suite (SpringInterop.*): its peer reaches a secured cluster only through this mapping.
 */
class LabClusterEnvironmentTest {
  @TempDir Path dir;

  KafkaProperties mapped(String fileText) throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, fileText);
    var env = new MockEnvironment()
        .withProperty("KLAB_CLIENT_PROPERTIES", file.toString())
        .withProperty("spring.kafka.bootstrap-servers", "127.0.0.1:9092");
    new LabClusterEnvironment().postProcessEnvironment(env, new SpringApplication());
    return Binder.get(env).bind("spring.kafka", KafkaProperties.class).get();
  }

  @Test
  void saslUserAndPasswordBecomeAJaasLineAndTheFilesAddressWins() throws Exception {
    var kafka = mapped("""
        bootstrap.servers=127.0.0.1:9192
        security.protocol=SASL_SSL
        sasl.mechanisms=SCRAM-SHA-512
        sasl.username=alice
        sasl.password=pa"ss
        ssl.ca.location=/lab/ca.pem
        client.id=from-the-file
        """);
    var producer = kafka.buildProducerProperties();
    assertThat(kafka.getBootstrapServers()).containsExactly("127.0.0.1:9192");
    assertThat(producer).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule"
            + " required username=\"alice\" password=\"pa\\\"ss\";")
        .containsEntry("ssl.truststore.type", "PEM")
        .containsEntry("ssl.truststore.location", "/lab/ca.pem")
        .containsEntry("client.id", "from-the-file")
        .doesNotContainKeys("sasl.username", "sasl.password", "sasl.mechanisms", "ssl.ca.location");
    assertThat(kafka.buildConsumerProperties()).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat(kafka.buildAdminProperties()).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
  }

  @Test
  void aClientCertificateAndKeyBecomeAPemKeyStore() throws Exception {
    Files.writeString(dir.resolve("alice.pem"), "-----BEGIN CERTIFICATE-----\nC\n-----END CERTIFICATE-----\n");
    Files.writeString(dir.resolve("alice.key"), "-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n");
    var producer = mapped("security.protocol=SSL\nssl.certificate.location=" + dir.resolve("alice.pem")
        + "\nssl.key.location=" + dir.resolve("alice.key") + "\n").buildProducerProperties();
    assertThat(producer).containsEntry("ssl.keystore.type", "PEM");
    assertThat((String) producer.get("ssl.keystore.certificate.chain")).contains("BEGIN CERTIFICATE");
    assertThat((String) producer.get("ssl.keystore.key")).contains("BEGIN PRIVATE KEY");
  }

  @Test
  void aMissingFileStopsTheAppNamingItAndWhatToDo() {
    var env = new MockEnvironment().withProperty("KLAB_CLIENT_PROPERTIES", "/nowhere/client.properties");
    assertThatThrownBy(() -> new LabClusterEnvironment().postProcessEnvironment(env, new SpringApplication()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("/nowhere/client.properties")
        .hasMessageContaining("unset it");
  }

  @Test
  void withoutTheVariableNothingChanges() {
    var env = new MockEnvironment();
    new LabClusterEnvironment().postProcessEnvironment(env, new SpringApplication());
    assertThat(env.getPropertySources().contains("klabClientProperties")).isFalse();
  }
}
