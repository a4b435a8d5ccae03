package dev.kafkalab.spring.interop;

import org.springframework.context.annotation.Profile;
import org.springframework.kafka.annotation.BackOff;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.annotation.RetryableTopic;
import org.springframework.stereotype.Component;

/**
 * Listeners of the interoperability peer that always fail under @RetryableTopic, with Spring's
 * default topic naming: a fixed back-off (one shared "-retry" topic) and an exponential one capped
 * at its max delay ("-retry-0", then "-retry-1" for both capped retries). The C++ test runs its
 * RetryTopicContainer with the same settings and compares topics and headers.
 */
@Component
@Profile("interop")
public class InteropRetryListeners {
  @RetryableTopic(attempts = "3", backOff = @BackOff(delay = 200), kafkaTemplate = "stringTemplate",
      listenerContainerFactory = "retryFactory")
  @KafkaListener(topics = "${lab.interop.retried-fixed}", groupId = "${lab.interop.group}-fixed",
      containerFactory = "retryFactory")
  void fixed(String value) {
    throw new IllegalStateException("cannot handle " + value);
  }

  @RetryableTopic(attempts = "4", backOff = @BackOff(delay = 100, multiplier = 2, maxDelay = 200),
      kafkaTemplate = "stringTemplate", listenerContainerFactory = "retryFactory")
  @KafkaListener(topics = "${lab.interop.retried-exponential}",
      groupId = "${lab.interop.group}-exponential", containerFactory = "retryFactory")
  void exponential(String value) {
    throw new IllegalStateException("cannot handle " + value);
  }
}
