#include "klab/client/headers.hpp"

#include <sys/types.h>

#include <algorithm>

namespace klab::client {

Headers& Headers::add(std::string key, std::optional<std::string> value) {
  headers_.push_back({std::move(key), std::move(value)});
  return *this;
}

const Header* Headers::last(std::string_view key) const {
  for (auto it = headers_.rbegin(); it != headers_.rend(); ++it)
    if (it->key == key) return &*it;
  return nullptr;
}

std::vector<Header> Headers::all(std::string_view key) const {
  std::vector<Header> out;
  for (const auto& h : headers_)
    if (h.key == key) out.push_back(h);
  return out;
}

std::size_t Headers::remove(std::string_view key) {
  return std::erase_if(headers_, [&](const Header& h) { return h.key == key; });
}

Headers Headers::from_native(const rd_kafka_headers_t* headers) {
  Headers out;
  if (!headers) return out;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0;
       rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    std::optional<std::string> v;
    if (value) v.emplace(static_cast<const char*>(value), size);
    out.add(name, std::move(v));
  }
  return out;
}

detail::HeadersPtr Headers::to_native() const {
  detail::HeadersPtr out(rd_kafka_headers_new(headers_.size()));
  for (const auto& h : headers_) {
    // A null pointer with size 0 is how librdkafka stores a null header value.
    rd_kafka_header_add(out.get(), h.key.data(), static_cast<ssize_t>(h.key.size()),
                        h.value ? h.value->data() : nullptr,
                        h.value ? static_cast<ssize_t>(h.value->size()) : 0);
  }
  return out;
}

}  // namespace klab::client
