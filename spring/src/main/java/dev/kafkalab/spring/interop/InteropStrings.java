package dev.kafkalab.spring.interop;

import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.context.annotation.Profile;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;

/**
 * The container factories of the peer's plain-string listeners: String records, and (for
 * InteropStringListeners) a DefaultErrorHandler with one retry before the
 * DeadLetterPublishingRecoverer.
 */
@Configuration
@Profile("interop")
public class InteropStrings {
  @Bean
  ConcurrentKafkaListenerContainerFactory<String, String> stringFactory(KafkaProperties properties) {
    var consumers = new DefaultKafkaConsumerFactory<>(
        properties.buildConsumerProperties(), new StringDeserializer(), new StringDeserializer());
    var producers = new DefaultKafkaProducerFactory<>(
        properties.buildProducerProperties(), new StringSerializer(), new StringSerializer());
    var factory = new ConcurrentKafkaListenerContainerFactory<String, String>();
    factory.setConsumerFactory(consumers);
    factory.setCommonErrorHandler(new DefaultErrorHandler(
        new DeadLetterPublishingRecoverer(new KafkaTemplate<>(producers)), new FixedBackOff(0, 1)));
    return factory;
  }

  // Boot's own template backs off once any KafkaTemplate bean exists (stringTemplate below):
  // declared here as Boot would, on Boot's JSON producer factory, for InteropPeer.
  @Bean
  @Primary
  KafkaTemplate<?, ?> kafkaTemplate(ProducerFactory<Object, Object> producerFactory) {
    return new KafkaTemplate<>(producerFactory);
  }

  // For @RetryableTopic (InteropRetryListeners): plain strings, and no error handler of its own —
  // the retry topic machinery adds its own.
  @Bean
  KafkaTemplate<String, String> stringTemplate(KafkaProperties properties) {
    return new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(
        properties.buildProducerProperties(), new StringSerializer(), new StringSerializer()));
  }

  @Bean
  ConcurrentKafkaListenerContainerFactory<String, String> retryFactory(KafkaProperties properties) {
    var factory = new ConcurrentKafkaListenerContainerFactory<String, String>();
    factory.setConsumerFactory(new DefaultKafkaConsumerFactory<>(
        properties.buildConsumerProperties(), new StringDeserializer(), new StringDeserializer()));
    return factory;
  }
}
