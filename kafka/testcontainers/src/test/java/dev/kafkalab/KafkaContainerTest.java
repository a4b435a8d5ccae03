package dev.kafkalab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

// One KRaft broker in a container per test class, the image of the lab's pinned Kafka version.
// Without a Docker engine JUnit reports the class as skipped, never as passed.
@Testcontainers(disabledWithoutDocker = true)
class KafkaContainerTest {
  @Container
  static final KafkaContainer KAFKA =
      new KafkaContainer("apache/kafka:" + System.getProperty("kafka.version"));

  @Test
  void recordsSentWithAKeyComeBackInOrderFromOnePartition() throws Exception {
    String topic = "orders";
    try (AdminClient admin =
        AdminClient.create(Map.of("bootstrap.servers", KAFKA.getBootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
    }

    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    int partition;
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      RecordMetadata first = producer.send(new ProducerRecord<>(topic, "order-1", "created")).get();
      producer.send(new ProducerRecord<>(topic, "order-1", "paid")).get();
      RecordMetadata last = producer.send(new ProducerRecord<>(topic, "order-1", "shipped")).get();
      partition = first.partition();
      assertEquals(partition, last.partition(), "one key, one partition");
      assertEquals(first.offset() + 2, last.offset(), "offsets count up within the partition");
    }

    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "testcontainers-check");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 60_000;
      while (values.size() < 3 && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          assertEquals(partition, r.partition());
          values.add(r.value());
        }
      }
    }
    assertEquals(List.of("created", "paid", "shipped"), values);
  }
}
