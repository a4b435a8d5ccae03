#include "klab/framework/listener/concurrent_listener_container_factory.hpp"

#include <utility>

namespace klab::framework {

ConcurrentListenerContainerFactory::ConcurrentListenerContainerFactory(
    client::Config consumer_config, ContainerProperties defaults, DefaultErrorHandler error_handler)
    : consumer_config_(std::move(consumer_config)),
      defaults_(std::move(defaults)),
      error_handler_(std::move(error_handler)) {}

ContainerProperties ConcurrentListenerContainerFactory::properties_for(
    std::vector<std::string> topics, std::string group_id, const Customizer& customize) const {
  ContainerProperties properties = defaults_;
  if (!topics.empty()) {
    properties.topics = std::move(topics);
    properties.topic_pattern.clear();  // the call named its topics: no default pattern
  }
  if (!group_id.empty()) properties.group_id = std::move(group_id);
  if (customize) customize(properties);
  return properties;
}

std::unique_ptr<ConcurrentListenerContainer> ConcurrentListenerContainerFactory::create(
    std::vector<std::string> topics, std::string group_id, RecordListener listener,
    const Customizer& customize) const {
  return std::make_unique<ConcurrentListenerContainer>(
      consumer_config_, properties_for(std::move(topics), std::move(group_id), customize),
      std::move(listener), error_handler_);
}

std::unique_ptr<ConcurrentListenerContainer> ConcurrentListenerContainerFactory::create(
    std::vector<std::string> topics, std::string group_id, BatchListener listener,
    const Customizer& customize) const {
  return std::make_unique<ConcurrentListenerContainer>(
      consumer_config_, properties_for(std::move(topics), std::move(group_id), customize),
      std::move(listener), error_handler_);
}

}  // namespace klab::framework
