#include "klab/framework/listener/error_handler.hpp"

#include <iostream>

namespace klab::framework {

namespace {
std::string describe(const std::exception_ptr& error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
  }
  return "unknown error";
}
}  // namespace

DefaultErrorHandler::DefaultErrorHandler(BackOff back_off, Recoverer recoverer)
    : back_off_(std::move(back_off)), recoverer_(std::move(recoverer)) {}

DefaultErrorHandler& DefaultErrorHandler::add_not_retryable(ErrorClassifier classifier) {
  not_retryable_.push_back(std::move(classifier));
  return *this;
}

std::optional<std::chrono::milliseconds> DefaultErrorHandler::retry_delay(
    const std::exception_ptr& error, int failures) const {
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
  std::cerr << "klab::framework: giving up on " << record.topic() << '/' << record.partition()
            << '@' << record.offset() << ": " << describe(error) << '\n';
}

}  // namespace klab::framework
