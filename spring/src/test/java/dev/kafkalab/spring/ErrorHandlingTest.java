package dev.kafkalab.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.BackOff;
import org.springframework.kafka.annotation.DltHandler;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.annotation.RetryableTopic;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.messaging.handler.annotation.Header;

import org.springframework.util.backoff.FixedBackOff;

/**
 * 6.2.1 and 6.2.2 in Spring: a DefaultErrorHandler with a FixedBackOff(0, 2) delivers a failing
 * record three times, then its DeadLetterPublishingRecoverer writes it to "<topic>-dlt" with the
 * exception in headers; @RetryableTopic routes a failing record through retry topics to a DLT.
 * C++ twins: P6ErrorHandler.*, P6RetryTopic.* in lessons/p6_framework.
 */
@SpringBootTest(
    properties = {
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "spring.kafka.consumer.auto-offset-reset=earliest"
    })
@EmbeddedKafka(partitions = 1, topics = {"spring.fails", "spring.fails-dlt"})
class ErrorHandlingTest {
  @Autowired KafkaTemplate<String, String> template;
  @Autowired Listeners listeners;

  static class Listeners {
    final AtomicInteger deliveries = new AtomicInteger();
    final CountDownLatch dead = new CountDownLatch(1);
    volatile ConsumerRecord<String, String> deadLetter;
    final List<String> retryTopicsSeen = new CopyOnWriteArrayList<>();
    final CountDownLatch retryDead = new CountDownLatch(1);

    @KafkaListener(topics = "spring.fails", groupId = "spring-fails")
    void fails(String value) {
      deliveries.incrementAndGet();
      throw new IllegalStateException("cannot handle " + value);
    }

    @KafkaListener(topics = "spring.fails-dlt", groupId = "spring-fails-dlt")
    void deadLetters(ConsumerRecord<String, String> record) {
      deadLetter = record;
      dead.countDown();
    }

    @RetryableTopic(attempts = "3", backOff = @BackOff(delay = 100))
    @KafkaListener(topics = "spring.retried", groupId = "spring-retried")
    void retried(String value, @Header(KafkaHeaders.RECEIVED_TOPIC) String topic) {
      retryTopicsSeen.add(topic);
      throw new IllegalStateException("still failing");
    }

    @DltHandler
    void retriedDlt(String value, @Header(KafkaHeaders.RECEIVED_TOPIC) String topic) {
      retryTopicsSeen.add(topic);
      retryDead.countDown();
    }
  }

  @TestConfiguration
  static class Config {
    @Bean
    Listeners listeners() {
      return new Listeners();
    }

    // Boot wires a single CommonErrorHandler bean into its listener container factory.
    @Bean
    DefaultErrorHandler errorHandler(KafkaTemplate<Object, Object> template) {
      return new DefaultErrorHandler(new DeadLetterPublishingRecoverer(template), new FixedBackOff(0, 2));
    }
  }

  @Test
  void afterTwoRetriesTheRecordGoesToTheDltWithTheExceptionInItsHeaders() throws Exception {
    template.send("spring.fails", "k", "poison");
    assertThat(listeners.dead.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(listeners.deliveries.get()).isEqualTo(3);
    var r = listeners.deadLetter;
    assertThat(r.value()).isEqualTo("poison");
    assertThat(r.key()).isEqualTo("k");
    assertThat(header(r, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo("spring.fails");
    assertThat(header(r, KafkaHeaders.DLT_EXCEPTION_MESSAGE)).contains("cannot handle poison");
    assertThat(header(r, KafkaHeaders.DLT_EXCEPTION_FQCN)).contains("ListenerExecutionFailedException");
  }

  @Test
  void aRetryableTopicWithFixedBackOffRetriesOnOneRetryTopicThenTheDlt() throws Exception {
    template.send("spring.retried", "k", "again");
    assertThat(listeners.retryDead.await(60, TimeUnit.SECONDS)).isTrue();
    // A fixed back-off reuses one retry topic ("-retry") for every retry (spring-kafka's default
    // since 3.0); an exponential one gets a topic per delay ("-retry-100", "-retry-200").
    assertThat(listeners.retryTopicsSeen)
        .containsExactly("spring.retried", "spring.retried-retry", "spring.retried-retry", "spring.retried-dlt");
  }

  static String header(ConsumerRecord<?, ?> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
