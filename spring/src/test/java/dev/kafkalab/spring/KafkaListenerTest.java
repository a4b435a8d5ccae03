package dev.kafkalab.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * 6.1.3, 6.2.3 and 6.2.4 in Spring: a @KafkaListener on a topic, one on a topic pattern that
 * picks up a topic created later, one with concurrency 3 whose threads split 6 partitions, and a
 * batch listener that gets lists. C++ twins: P6KafkaListener.*, P6Batch.*, P6Concurrency.* in
 * lessons/p6_framework.
 */
@SpringBootTest(
    properties = {
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "spring.kafka.consumer.auto-offset-reset=earliest",
      // A pattern subscription sees a new topic at the next metadata refresh (default 5 min).
      "spring.kafka.consumer.properties[metadata.max.age.ms]=1000"
    })
@EmbeddedKafka(
    partitions = 6,
    topics = {"spring.listen", "spring.concurrent", "spring.batch", "spring.pattern.a", "spring.pattern.c"})
class KafkaListenerTest {
  @Autowired KafkaTemplate<String, String> template;
  @Autowired Listeners listeners;
  @Autowired KafkaListenerEndpointRegistry registry;
  @Autowired EmbeddedKafkaBroker broker;

  static class Listeners {
    final CountDownLatch single = new CountDownLatch(1);
    final List<String> values = new CopyOnWriteArrayList<>();
    final CountDownLatch concurrent = new CountDownLatch(60);
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final Set<Integer> partitions = ConcurrentHashMap.newKeySet();
    final CountDownLatch batch = new CountDownLatch(50);
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    final Set<String> patternTopics = ConcurrentHashMap.newKeySet();
    final CountDownLatch pattern = new CountDownLatch(2);

    @KafkaListener(topics = "spring.listen", groupId = "spring-listen")
    void listen(String value) {
      values.add(value);
      single.countDown();
    }

    @KafkaListener(topicPattern = "spring\\.pattern\\.(a|b)", groupId = "spring-pattern")
    void pattern(ConsumerRecord<String, String> record) {
      patternTopics.add(record.topic());
      pattern.countDown();
    }

    @KafkaListener(
        id = "concurrent",
        topics = "spring.concurrent",
        groupId = "spring-concurrent",
        concurrency = "3")
    void concurrent(ConsumerRecord<String, String> record) {
      threads.add(Thread.currentThread().getName());
      partitions.add(record.partition());
      concurrent.countDown();
    }

    @KafkaListener(topics = "spring.batch", groupId = "spring-batch", batch = "true")
    void batch(List<String> values) {
      batchSizes.add(values.size());
      values.forEach(v -> batch.countDown());
    }
  }

  @TestConfiguration
  static class Config {
    @Bean
    Listeners listeners() {
      return new Listeners();
    }
  }

  @Test
  void aListenerReceivesWhatTheTemplateSent() throws Exception {
    template.send("spring.listen", "k", "hello spring");
    assertThat(listeners.single.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(listeners.values).containsExactly("hello spring");
  }

  @Test
  void aTopicPatternListenerReadsEveryMatchingTopicAlsoOneCreatedLater() throws Exception {
    template.send("spring.pattern.a", "1").get();
    template.send("spring.pattern.c", "x").get();  // exists, does not match
    broker.addTopics(new NewTopic("spring.pattern.b", 1, (short) 1));
    template.send("spring.pattern.b", "2").get();
    assertThat(listeners.pattern.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(listeners.patternTopics).containsExactlyInAnyOrder("spring.pattern.a", "spring.pattern.b");
  }

  @Test
  void concurrencyThreeSplitsSixPartitionsOverThreeThreads() throws Exception {
    // All three members must hold their share before the records come, or the first takes all.
    var container = (ConcurrentMessageListenerContainer<?, ?>) registry.getListenerContainer("concurrent");
    long deadline = System.currentTimeMillis() + 60_000;
    while (!container.getContainers().stream()
            .allMatch(c -> c.getAssignedPartitions() != null && c.getAssignedPartitions().size() == 2)
        && System.currentTimeMillis() < deadline) Thread.sleep(100);
    for (int i = 0; i < 60; i++) template.send("spring.concurrent", "key-" + i, "v" + i);
    assertThat(listeners.concurrent.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(listeners.partitions).hasSize(6);
    assertThat(listeners.threads).hasSize(3);
  }

  @Test
  void aBatchListenerGetsListsOfRecords() throws Exception {
    for (int i = 0; i < 50; i++) template.send("spring.batch", "v" + i);
    template.flush();
    assertThat(listeners.batch.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(listeners.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(50);
    assertThat(listeners.batchSizes.size()).isLessThan(50);
  }
}
