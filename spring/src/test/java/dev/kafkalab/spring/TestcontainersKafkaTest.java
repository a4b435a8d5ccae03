package dev.kafkalab.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * 6.3.2 in Spring: the app under test against Kafka in a container (Testcontainers' Kafka module,
 * the apache/kafka image of the lab's pinned version), wired by Boot's @ServiceConnection instead
 * of a bootstrap property. Without a Docker engine JUnit reports it skipped, never passed. C++
 * twin: P6ExternalCluster.* (the same lesson binary against any cluster KLAB_BOOTSTRAP names).
 */
@SpringBootTest(properties = "spring.kafka.consumer.auto-offset-reset=earliest")
@Testcontainers(disabledWithoutDocker = true)
class TestcontainersKafkaTest {
  @Container @ServiceConnection
  static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:" + pinnedKafkaVersion());

  @Autowired KafkaTemplate<String, String> template;
  @Autowired Received received;

  static class Received {
    final List<String> values = new CopyOnWriteArrayList<>();
    final CountDownLatch three = new CountDownLatch(3);

    @KafkaListener(topics = "tc.orders", groupId = "tc")
    void on(ConsumerRecord<String, String> record) {
      values.add(record.value());
      three.countDown();
    }
  }

  @TestConfiguration
  static class Config {
    @Bean
    Received received() {
      return new Received();
    }
  }

  @Test
  void aSpringBootAppSendsAndReceivesThroughAKafkaContainer() throws Exception {
    var first = template.send("tc.orders", "order-1", "created").get();
    template.send("tc.orders", "order-1", "paid").get();
    var last = template.send("tc.orders", "order-1", "shipped").get();
    assertThat(last.getRecordMetadata().partition()).isEqualTo(first.getRecordMetadata().partition());
    assertThat(received.three.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(received.values).containsExactly("created", "paid", "shipped");
  }

  // The version pinned once for the whole lab, in kafka/pom.xml (surefire runs in spring/).
  static String pinnedKafkaVersion() {
    try {
      var m = Pattern.compile("<kafka.version>([^<]+)<")
          .matcher(Files.readString(Path.of("..", "kafka", "pom.xml")));
      if (m.find()) return m.group(1);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read ../kafka/pom.xml from " + Path.of("").toAbsolutePath(), e);
    }
    throw new IllegalStateException("no <kafka.version> in ../kafka/pom.xml");
  }
}
