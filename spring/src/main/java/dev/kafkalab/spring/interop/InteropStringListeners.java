package dev.kafkalab.spring.interop;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.context.annotation.Profile;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Plain-string listeners of the interoperability peer: one that always fails (its record ends in
 * "<topic>-dlt"), and one member of a consumer group the C++ side joins too. Each prints what it
 * received, for the test to read. (Apart from the factory's class: a listener in the class that
 * defines its own container factory is a circular reference.)
 */
@Component
@Profile("interop")
public class InteropStringListeners {
  @KafkaListener(topics = "${lab.interop.failing}", groupId = "${lab.interop.group}-failing",
      containerFactory = "stringFactory")
  void failing(String value) {
    throw new IllegalStateException("cannot handle " + value);
  }

  @KafkaListener(id = "shared", topics = "${lab.interop.shared}", groupId = "${lab.interop.shared-group}",
      containerFactory = "stringFactory")
  void shared(ConsumerRecord<String, String> record) {
    System.out.println("spring received partition=" + record.partition() + " value=" + record.value());
  }
}
