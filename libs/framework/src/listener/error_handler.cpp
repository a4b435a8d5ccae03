#include "klab/framework/listener/error_handler.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <typeinfo>

#include "klab/client/log.hpp"
#include "listener/container_support.hpp"

namespace klab::framework {

namespace {
std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> readable(
      abi::__cxa_demangle(name, nullptr, nullptr, &status), &std::free);
  return status == 0 && readable ? std::string(readable.get()) : std::string(name);
}
}  // namespace

std::pair<std::string, std::string> exception_type_and_message(const std::exception_ptr& error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return {demangle(typeid(e).name()), e.what()};
  } catch (...) {
    // Not a std::exception: only the runtime knows its type.
    const std::type_info* type = abi::__cxa_current_exception_type();
    return {type ? demangle(type->name()) : "unknown", ""};
  }
  return {"unknown", ""};
}

DefaultErrorHandler::DefaultErrorHandler(BackOff back_off, Recoverer recoverer)
    : back_off_(std::move(back_off)), recoverer_(std::move(recoverer)) {}

DefaultErrorHandler& DefaultErrorHandler::add_not_retryable(ErrorClassifier classifier) {
  not_retryable_.push_back(std::move(classifier));
  return *this;
}

std::optional<std::chrono::milliseconds> DefaultErrorHandler::retry_delay(
    const std::exception_ptr& error, int failures) const {
  // A back-off wait is checked first: classifiers written for real failures (say, every
  // std::runtime_error) must not send a record that is merely early to the recoverer.
  try {
    if (error) std::rethrow_exception(error);
  } catch (const KafkaBackoffException& early) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(early.due() -
                                                             std::chrono::system_clock::now());
    return std::max(left, std::chrono::milliseconds(1));
  } catch (...) {
  }
  for (const auto& not_retryable : not_retryable_) {
    if (not_retryable(error)) return std::nullopt;
  }
  return back_off_.next_delay(failures);
}

void DefaultErrorHandler::recover(const client::Record& record,
                                  const std::exception_ptr& error) const {
  if (recoverer_) {
    recoverer_(record, error);
    return;
  }
  // Spring's default recoverer only logs: the record is skipped, so say which one.
  client::log(client::LogLevel::error, "klab::framework",
              "giving up on " + client::coordinates(record) + ": " + detail::describe(error));
}

}  // namespace klab::framework
