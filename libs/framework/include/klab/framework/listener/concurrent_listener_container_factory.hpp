#pragma once
// Spring's ConcurrentKafkaListenerContainerFactory: the consumer config, container defaults and
// error handler set up once, then one container per listener with just its topics and group.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/framework/listener/error_handler.hpp"
#include "klab/framework/listener/listener_container.hpp"

namespace klab::framework {

/// Makes ConcurrentListenerContainers that share a consumer Config, default
/// ContainerProperties (ack mode, concurrency, poll timeout, max_poll_records, ...) and a
/// DefaultErrorHandler. Containers are created stopped; call start().
class ConcurrentListenerContainerFactory {
 public:
  /// Adjusts one container's properties after the defaults and the per-call values applied.
  using Customizer = std::function<void(ContainerProperties&)>;

  /// `defaults.topics`, `topic_pattern` and `group_id` are used only when a create() call
  /// gives none. Errors: none (the properties are checked by create()).
  explicit ConcurrentListenerContainerFactory(client::Config consumer_config,
                                              ContainerProperties defaults = {},
                                              DefaultErrorHandler error_handler = {});

  /// A container for `topics` (if not empty: replaces the defaults' topics and topic_pattern)
  /// in `group_id` (if not empty), `customize` (if given) applied last.
  /// Errors: as ConcurrentListenerContainer's constructor (KafkaException _INVALID_ARG naming
  /// the bad field).
  std::unique_ptr<ConcurrentListenerContainer> create(std::vector<std::string> topics,
                                                      std::string group_id, RecordListener listener,
                                                      const Customizer& customize = {}) const;
  /// The same with a batch listener. Errors: as above.
  std::unique_ptr<ConcurrentListenerContainer> create(std::vector<std::string> topics,
                                                      std::string group_id, BatchListener listener,
                                                      const Customizer& customize = {}) const;

  /// The defaults, to change before the next create(). Errors: none.
  ContainerProperties& defaults() noexcept { return defaults_; }
  const ContainerProperties& defaults() const noexcept { return defaults_; }
  /// Replaces the error handler given to later containers. Errors: none.
  void error_handler(DefaultErrorHandler error_handler) {
    error_handler_ = std::move(error_handler);
  }
  /// The consumer config given to later containers. Errors: none.
  client::Config& consumer_config() noexcept { return consumer_config_; }

 private:
  ContainerProperties properties_for(std::vector<std::string> topics, std::string group_id,
                                     const Customizer& customize) const;

  client::Config consumer_config_;
  ContainerProperties defaults_;
  DefaultErrorHandler error_handler_;
};

}  // namespace klab::framework
