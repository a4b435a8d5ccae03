package dev.kafkalab.spring.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Turns the lab's client properties file (KLAB_CLIENT_PROPERTIES, librdkafka's names, as the C++
 * programs read it) into the Java client's names, so a Spring app reaches the same cluster as the
 * same user: SASL user and password become a JAAS line, PEM file locations become PEM stores.
 * Keys both clients share (security.protocol, client.id, ...) pass through unchanged.
 */
public final class LabClientProperties {
  private LabClientProperties() {}

  /** The Java names for the librdkafka-named properties in {@code file}. */
  public static Map<String, String> javaProperties(Path file) {
    Properties in = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      in.load(reader);
    } catch (IOException e) {
      throw new IllegalStateException("KLAB_CLIENT_PROPERTIES=" + file + " cannot be read ("
          + e + "): point it at a client properties file (klab up --secure writes them) or unset it", e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : in.stringPropertyNames()) {
      if (!TRANSLATED.contains(key)) out.put(key, in.getProperty(key));
    }
    String mechanism = in.getProperty("sasl.mechanisms", in.getProperty("sasl.mechanism"));
    if (mechanism != null) {
      out.put("sasl.mechanism", mechanism);
      String user = in.getProperty("sasl.username");
      if (user != null) {
        String module = mechanism.equals("PLAIN")
            ? "org.apache.kafka.common.security.plain.PlainLoginModule"
            : "org.apache.kafka.common.security.scram.ScramLoginModule";
        out.put("sasl.jaas.config", module + " required username=" + quoted(user) + " password="
            + quoted(in.getProperty("sasl.password", "")) + ";");
      }
    }
    String ca = in.getProperty("ssl.ca.location");
    if (ca != null) {
      out.put("ssl.truststore.type", "PEM");
      out.put("ssl.truststore.location", ca);
    }
    String cert = in.getProperty("ssl.certificate.location");
    String key = in.getProperty("ssl.key.location");
    if (cert != null && key != null) {
      // Java's PEM key store takes the key and its chain as values, not as two files.
      out.put("ssl.keystore.type", "PEM");
      out.put("ssl.keystore.certificate.chain", read(cert, "ssl.certificate.location"));
      out.put("ssl.keystore.key", read(key, "ssl.key.location"));
    }
    String algorithm = in.getProperty("ssl.endpoint.identification.algorithm");
    if (algorithm != null) {
      out.put("ssl.endpoint.identification.algorithm", algorithm.equals("none") ? "" : algorithm);
    }
    return out;
  }

  private static final java.util.Set<String> TRANSLATED = java.util.Set.of(
      "sasl.mechanisms", "sasl.mechanism", "sasl.username", "sasl.password", "ssl.ca.location",
      "ssl.certificate.location", "ssl.key.location", "ssl.endpoint.identification.algorithm");

  // JAAS values are quoted strings: a quote or backslash inside must be escaped.
  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String read(String file, String key) {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(key + "=" + file + " in KLAB_CLIENT_PROPERTIES cannot be read ("
          + e + "): fix the path or the file's permissions", e);
    }
  }
}
