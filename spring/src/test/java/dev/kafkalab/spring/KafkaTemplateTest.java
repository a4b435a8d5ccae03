package dev.kafkalab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * 6.1.2 in Spring: KafkaTemplate.send returns a CompletableFuture of SendResult (the partition
 * and offset the broker gave), and a failure reaches the future, not the caller's thread. The C++
 * twin: lessons/p6_framework (P6Template.*).
 */
@SpringBootTest(
    properties = {
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "spring.kafka.producer.properties[max.request.size]=10000"
    })
@EmbeddedKafka(partitions = 3, topics = "spring.template")
class KafkaTemplateTest {
  @Autowired KafkaTemplate<String, String> template;

  @Test
  void sendResultCarriesThePartitionAndOffsetTheBrokerGave() throws Exception {
    SendResult<String, String> first = template.send("spring.template", 1, "k", "a").get(30, TimeUnit.SECONDS);
    SendResult<String, String> second = template.send("spring.template", 1, "k", "b").get(30, TimeUnit.SECONDS);
    assertThat(first.getRecordMetadata().partition()).isEqualTo(1);
    assertThat(second.getRecordMetadata().offset()).isEqualTo(first.getRecordMetadata().offset() + 1);
  }

  @Test
  void aRecordOverMaxRequestSizeIsRefusedWithRecordTooLargeException() {
    // The producer knows at once (max.request.size=10000 above): Spring's template throws from
    // send() itself (KafkaException "Send failed"); the C++ template returns the error instead.
    assertThatThrownBy(
            () -> template.send("spring.template", "x".repeat(20_000)).get(30, TimeUnit.SECONDS))
        .hasRootCauseInstanceOf(RecordTooLargeException.class);
  }
}
