#include "klab/testing/record_matchers.hpp"

namespace klab::client {

void PrintTo(const Record& record, std::ostream* os) {
  auto quoted = [os](std::optional<std::string_view> s) {
    if (s)
      *os << '"' << *s << '"';
    else
      *os << "null";
  };
  *os << record.topic() << '/' << record.partition() << '@' << record.offset();
  if (record.error()) {
    *os << " error=" << record.error().to_string();
    return;
  }
  *os << " key=";
  quoted(record.key());
  *os << " value=";
  quoted(record.value());
  *os << " headers={";
  bool first = true;
  for (const auto& h : record.headers()) {
    *os << (first ? "" : ", ") << h.key << '=';
    quoted(h.value ? std::optional<std::string_view>(*h.value) : std::nullopt);
    first = false;
  }
  *os << '}';
}

}  // namespace klab::client
