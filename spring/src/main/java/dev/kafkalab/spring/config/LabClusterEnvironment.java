package dev.kafkalab.spring.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;

/**
 * The lab's one address for the cluster, for Spring: KLAB_CLIENT_PROPERTIES (librdkafka's names)
 * becomes spring.kafka.properties.* for every client the app makes, and a bootstrap.servers in it
 * wins over KLAB_BOOTSTRAP, as for the C++ programs (a file for another listener carries its
 * address). Only command-line arguments override it.
 */
public class LabClusterEnvironment implements EnvironmentPostProcessor {
  static final String SOURCE = "klabClientProperties";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    String file = environment.getProperty("KLAB_CLIENT_PROPERTIES");
    if (file == null || file.isBlank()) return;
    Map<String, Object> spring = new LinkedHashMap<>();
    LabClientProperties.javaProperties(Path.of(file)).forEach((key, value) -> {
      if (key.equals("bootstrap.servers")) spring.put("spring.kafka.bootstrap-servers", value);
      else spring.put("spring.kafka.properties[" + key + "]", value);
    });
    MutablePropertySources sources = environment.getPropertySources();
    var source = new MapPropertySource(SOURCE, spring);
    if (sources.contains("commandLineArgs")) sources.addAfter("commandLineArgs", source);
    else sources.addFirst(source);
  }
}
