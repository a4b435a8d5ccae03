package dev.kafkalab.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The lab's Spring Boot application: spring-kafka beans configured from application.properties. */
@SpringBootApplication
public class LabApplication {
  public static void main(String[] args) {
    SpringApplication.run(LabApplication.class, args);
  }
}
