package dev.kafkalab.spring.interop;

/** The Spring peer's answer: the order it read, the type header it came with, where it came from. */
public record OrderSeen(Order order, String typeIdHeader, int partition, long offset) {}
