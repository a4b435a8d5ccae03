#pragma once
// RoutingKafkaTemplate: Spring's template that picks the producer (and so the serializers and
// producer settings) for each send from the topic name, so one call site can write to topics
// that need different value formats.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/client/error.hpp"
#include "klab/client/headers.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/record.hpp"
#include "klab/client/serde.hpp"
#include "klab/framework/core/kafka_template.hpp"
#include "klab/framework/core/producer_listener.hpp"

namespace klab::framework {

namespace detail {

/// The part of RoutingKafkaTemplate that does not depend on K and V: the ordered list of topic
/// patterns and the error for a topic none of them matches.
class RouteTable {
 public:
  /// Appends `pattern` (ECMAScript regex, matched against the WHOLE topic name, like Java's
  /// Pattern.matches). Errors: KafkaException _INVALID_ARG naming the pattern when it is empty
  /// or not a valid regex.
  void add(std::string pattern);
  /// Index of the first pattern (in the order added) matching all of `topic`, or nullopt.
  /// Errors: none.
  std::optional<std::size_t> match(std::string_view topic) const;
  const std::string& pattern(std::size_t index) const { return routes_.at(index).text; }
  std::size_t size() const noexcept { return routes_.size(); }
  /// _INVALID_ARG naming `topic` and the patterns tried. Errors: none.
  Error no_route(std::string_view topic) const;

 private:
  struct Entry {
    std::string text;
    std::regex regex;
  };
  std::vector<Entry> routes_;
};

}  // namespace detail

/// Sends K keys and V values through one of several KafkaTemplates, chosen by matching the
/// record's topic against each route's regex in the order the routes were added (first match
/// wins, so put specific patterns before catch-alls such as ".*"). Each route has its own
/// producer (own Config: acks, compression, ...) and its own key/value serdes, as Spring's
/// RoutingKafkaTemplate has one ProducerFactory per pattern.
///
/// A topic no route matches is refused before anything is sent: the future form returns a
/// ready future whose report carries _INVALID_ARG naming the topic; the callback form returns
/// that error. Transactions are not supported (as in Spring).
///
/// Thread-safety: add routes and set the listener before sharing; then send() and flush() may
/// be called from any thread.
template <typename K, typename V>
class RoutingKafkaTemplate {
 public:
  using key_type = K;
  using value_type = V;

  /// A record with typed key and value, before a route serializes it.
  using Record = TemplateRecord<K, V>;

  RoutingKafkaTemplate() = default;
  RoutingKafkaTemplate(const RoutingKafkaTemplate&) = delete;
  RoutingKafkaTemplate& operator=(const RoutingKafkaTemplate&) = delete;

  /// Adds a route: topics matching `pattern` go through a new KafkaTemplate made from `config`
  /// with these serdes. Returns *this for chaining.
  /// Errors: KafkaException _INVALID_ARG for an empty or invalid pattern (nothing is added);
  /// KafkaException as Producer's constructor for a rejected Config.
  template <typename KeySerde = client::default_serde_t<K>,
            typename ValueSerde = client::default_serde_t<V>>
  requires client::Serializer<KeySerde, K> && client::Serializer<ValueSerde, V>
      RoutingKafkaTemplate& add_route(std::string pattern, const client::Config& config,
                                      KeySerde key_serde = {}, ValueSerde value_serde = {}) {
    using Template = KafkaTemplate<K, V, KeySerde, ValueSerde>;
    detail::RouteTable table = table_;  // validate the pattern before creating a producer
    table.add(pattern);
    auto target = std::make_shared<Template>(config, std::move(key_serde), std::move(value_serde));
    if (listener_) target->set_producer_listener(*listener_);
    Route route;
    route.send_future = [target](Record r) { return target->send(std::move(r)); };
    route.send_callback = [target](Record r, client::DeliveryCallback cb) {
      return target->send(std::move(r), std::move(cb));
    };
    route.flush = [target](std::chrono::milliseconds t) { return target->flush(t); };
    route.set_listener = [target](const ProducerListener& l) { target->set_producer_listener(l); };
    route.producer = [target]() -> client::Producer& { return target->producer(); };
    routes_.push_back(std::move(route));
    table_ = std::move(table);
    return *this;
  }

  /// Tells `listener` about every send of every route (and about sends refused for want of a
  /// route), exactly once each. Errors: none.
  void set_producer_listener(ProducerListener listener) {
    listener_ = std::make_shared<const ProducerListener>(std::move(listener));
    for (auto& route : routes_) route.set_listener(*listener_);
  }

  /// Sends through the first route matching record.topic; the future completes with the
  /// delivery report. Errors (in the report): _INVALID_ARG naming the topic when no route
  /// matches (status not_persisted, nothing sent); otherwise as KafkaTemplate::send(Record).
  std::future<client::DeliveryReport> send(Record record) {
    auto index = table_.match(record.topic);
    if (!index) {
      auto err = table_.no_route(record.topic);
      auto partial = refuse(record.topic, err);
      return detail::TemplateCore::refused_future(partial, std::move(err));
    }
    return routes_[*index].send_future(std::move(record));
  }
  /// send(Record) to `topic`. Errors: as send(Record).
  std::future<client::DeliveryReport> send(std::string topic, std::optional<K> key, V value) {
    return send(
        Record{.topic = std::move(topic), .key = std::move(key), .value = std::move(value)});
  }
  /// Callback form. Errors: returned, _INVALID_ARG naming the topic when no route matches (the
  /// callback is never called), or KafkaTemplate::send(Record, DeliveryCallback)'s.
  Error send(Record record, client::DeliveryCallback callback) {
    auto index = table_.match(record.topic);
    if (!index) {
      auto err = table_.no_route(record.topic);
      refuse(record.topic, err);
      return err;
    }
    return routes_[*index].send_callback(std::move(record), std::move(callback));
  }

  /// The pattern that `topic` would be routed by, or nullopt. Errors: none.
  std::optional<std::string> route_for(std::string_view topic) const {
    auto index = table_.match(topic);
    if (!index) return std::nullopt;
    return table_.pattern(*index);
  }
  std::size_t route_count() const noexcept { return routes_.size(); }
  /// The producer of the route `topic` goes through. Errors: KafkaException _INVALID_ARG
  /// naming the topic when no route matches.
  client::Producer& producer_for(std::string_view topic) {
    auto index = table_.match(topic);
    if (!index) throw KafkaException(table_.no_route(topic));
    return routes_[*index].producer();
  }

  /// Flushes every route's producer within `timeout` in total.
  /// Errors: _TIMED_OUT when some route still has records outstanding.
  Error flush(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    Error first;
    for (auto& route : routes_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto err = route.flush(std::max(left, std::chrono::milliseconds(0)));
      if (err && !first) first = err;
    }
    return first;
  }

 private:
  struct Route {
    std::function<std::future<client::DeliveryReport>(Record)> send_future;
    std::function<Error(Record, client::DeliveryCallback)> send_callback;
    std::function<Error(std::chrono::milliseconds)> flush;
    std::function<void(const ProducerListener&)> set_listener;
    std::function<client::Producer&()> producer;
  };

  client::ProducerRecord refuse(const std::string& topic, const Error& error) const {
    client::ProducerRecord partial{.topic = topic};
    detail::notify_refused(listener_.get(), partial, error);  // as KafkaTemplate does
    return partial;
  }

  detail::RouteTable table_;
  std::vector<Route> routes_;
  std::shared_ptr<const ProducerListener> listener_;
};

}  // namespace klab::framework
