#pragma once
// Every non-2xx answer of the API: {"error": {"code", "message"}} with a fixed code per status.
#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace klab::console {

/// Thrown by handlers; guarded() turns it into the JSON error answer.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  int status_;
  std::string code_;
};

ApiError invalid_input(const std::string& message);
ApiError not_found(const std::string& message);
ApiError conflict(const std::string& message);

void send_json(httplib::Response& res, const nlohmann::json& body, int status = 200);
void send_error(httplib::Response& res, int status, const std::string& code,
                const std::string& message);

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

/// Wraps a handler: ApiError, KafkaException (mapped by Kafka error), JSON and any other
/// exception become JSON error answers, so no route ever answers an HTML 500.
Handler guarded(Handler handler);

/// The handler for mutating routes: 403 read_only when the console is read-only.
Handler mutating(bool read_only, Handler handler);

}  // namespace klab::console
