// EventFold without a broker: the pure part of event sourcing, state = fold(apply, events).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "klab/client/error.hpp"
#include "klab/framework/eventsourcing/event_sourced_repository.hpp"

namespace {
using klab::framework::EventFold;

struct Counter {
  int value = 0;
  int version = 0;
};

Counter add(Counter c, const int& delta) {
  c.value += delta;
  ++c.version;
  return c;
}

TEST(EventFold, FoldAppliesEventsInOrderFromTheInitialState) {
  EventFold<Counter, int> fold(Counter{}, add);
  auto state = fold.fold(fold.initial(), {5, -2, 10});
  EXPECT_EQ(state.value, 13);
  EXPECT_EQ(state.version, 3);
}

TEST(EventFold, FoldingInTwoPartsEqualsFoldingAtOnce) {
  // What makes snapshots correct: fold(fold(s, a), b) == fold(s, a + b).
  EventFold<std::string, std::string> fold(
      "", [](std::string s, const std::string& e) { return s + e; });
  auto head = fold.fold(fold.initial(), {"a", "b"});
  EXPECT_EQ(fold.fold(head, {"c", "d"}), fold.fold(fold.initial(), {"a", "b", "c", "d"}));
}

TEST(EventFold, EmptyApplyIsRejected) {
  try {
    EventFold<Counter, int> fold(Counter{}, nullptr);
    FAIL() << "an empty apply was accepted";
  } catch (const klab::KafkaException& e) {
    EXPECT_EQ(e.error(), RD_KAFKA_RESP_ERR__INVALID_ARG);
    EXPECT_NE(std::string(e.what()).find("apply"), std::string::npos) << e.what();
  }
}

TEST(EventFold, NoEventsLeavesTheInitialState) {
  EventFold<Counter, int> fold(Counter{.value = 7}, add);
  EXPECT_EQ(fold.fold(fold.initial(), {}).value, 7);
}

}  // namespace
