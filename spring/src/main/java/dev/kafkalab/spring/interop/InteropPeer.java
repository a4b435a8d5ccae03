package dev.kafkalab.spring.interop;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The Spring side of the interoperability tests (spring/test/spring_module_test.cpp): reads
 * Orders the C++ KafkaTemplate sent (JSON, Spring's __TypeId__ header) and answers each with an
 * OrderSeen through Spring's own JSON serializer; at start it sends keys key-0 … key-99 with
 * Spring's default partitioner so the C++ side can compare partitions.
 */
@Configuration
@Profile("interop")
public class InteropPeer {
  @Value("${lab.interop.outbound}")
  String outbound;

  private final KafkaTemplate<String, Object> template;

  InteropPeer(KafkaTemplate<String, Object> template) {
    this.template = template;
  }

  @KafkaListener(topics = "${lab.interop.inbound}", groupId = "${lab.interop.group}")
  void onOrder(ConsumerRecord<String, Order> record) {
    var h = record.headers().lastHeader("__TypeId__");
    String typeId = h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    template.send(outbound, record.key(),
        new OrderSeen(record.value(), typeId, record.partition(), record.offset()));
  }

  @Bean
  ApplicationRunner sendKeys(@Value("${lab.interop.keys-topic}") String topic) {
    // The key goes through StringSerializer and Spring's default partitioner (murmur2).
    return args -> {
      for (int i = 0; i < 100; i++) template.send(topic, "key-" + i, "from spring");
      template.flush();
      System.out.println("interop peer ready");
    };
  }
}
