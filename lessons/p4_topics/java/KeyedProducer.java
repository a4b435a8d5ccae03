// Sends one record per key with the Java client's default partitioner and prints
// "<key> <partition>" for each, so a C++ test can compare partition choices with Java's.
// Run in source-file mode: java -cp '<kafka libs>/*' KeyedProducer.java <bootstrap> <topic> <key>...
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

public class KeyedProducer {
  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: KeyedProducer <bootstrap> <topic> <key>...");
      System.exit(2);
    }
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("acks", "all");
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (int i = 2; i < args.length; i++) {
        // get(): wait for each record, so a failure stops the run with its cause.
        RecordMetadata md = producer.send(new ProducerRecord<>(args[1], args[i], args[i])).get();
        System.out.println(args[i] + " " + md.partition());
      }
    }
  }
}
