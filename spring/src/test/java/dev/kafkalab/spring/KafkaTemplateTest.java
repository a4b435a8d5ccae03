package dev.kafkalab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.support.ProducerListener;
import org.springframework.kafka.support.SendResult;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * 6.1.2 in Spring: KafkaTemplate.send returns a CompletableFuture of SendResult (the partition
 * and offset the broker gave); callbacks on it and a ProducerListener hear every send; a record
 * the producer cannot send is refused at once. The C++
 * twin: lessons/p6_framework (P6KafkaTemplate.*).
 */
@SpringBootTest(
    properties = {
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "spring.kafka.producer.properties[max.request.size]=10000"
    })
@EmbeddedKafka(partitions = 3, topics = {"spring.template", "spring.callbacks"})
class KafkaTemplateTest {
  @Autowired KafkaTemplate<String, String> template;
  @Autowired ProducerFactory<String, String> producerFactory;

  @Test
  void sendResultCarriesThePartitionAndOffsetTheBrokerGave() throws Exception {
    SendResult<String, String> first = template.send("spring.template", 1, "k", "a").get(30, TimeUnit.SECONDS);
    SendResult<String, String> second = template.send("spring.template", 1, "k", "b").get(30, TimeUnit.SECONDS);
    assertThat(first.getRecordMetadata().partition()).isEqualTo(1);
    assertThat(second.getRecordMetadata().offset()).isEqualTo(first.getRecordMetadata().offset() + 1);
  }

  @Test
  void callbacksAndTheProducerListenerHearEverySendOnceInOrder() throws Exception {
    // A template of its own: a default topic and a ProducerListener, as an app would configure.
    var own = new KafkaTemplate<>(producerFactory);
    own.setDefaultTopic("spring.callbacks");
    List<Long> listenerOffsets = new CopyOnWriteArrayList<>();
    own.setProducerListener(new ProducerListener<>() {
      @Override
      public void onSuccess(ProducerRecord<String, String> record, RecordMetadata metadata) {
        listenerOffsets.add(metadata.offset());
      }
    });
    List<Long> callbackOffsets = new CopyOnWriteArrayList<>();
    var done = new CountDownLatch(10);
    for (int i = 0; i < 10; i++) {
      own.sendDefault(0, "k", "v" + i).whenComplete((result, error) -> {
        if (error == null) callbackOffsets.add(result.getRecordMetadata().offset());
        done.countDown();
      });
    }
    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    long first = callbackOffsets.get(0);
    assertThat(callbackOffsets).containsExactlyElementsOf(
        LongStream.range(first, first + 10).boxed().toList());
    assertThat(listenerOffsets).containsExactlyInAnyOrderElementsOf(callbackOffsets);
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
