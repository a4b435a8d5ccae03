package dev.kafkalab.spring.interop;

/** What the C++ side sends as JSON, with Spring's type header naming this class. */
public record Order(String id, long amountCents, String item) {}
