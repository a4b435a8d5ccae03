#pragma once
// A client of a schema registry's Confluent-compatible REST API (Apicurio's /apis/ccompat/v7,
// Confluent Schema Registry itself): subjects, versions, ids, compatibility. Schemas fetched by
// id are cached: an id names one schema forever.
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace klab::schema {

/// An answer other than success, with the HTTP status: 409 for a schema the subject's
/// compatibility refuses, 404 for an unknown subject, version or id, 422 for an invalid schema.
class RegistryError : public std::runtime_error {
 public:
  RegistryError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

/// BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE.
struct SubjectVersion {
  std::string subject;
  int version = 0;
  int id = 0;
  std::string schema;  ///< the schema text (Avro JSON)
};

class RegistryClient {
 public:
  /// `base_url`: the API root, e.g. "http://127.0.0.1:8085/apis/ccompat/v7".
  /// Errors: RegistryError 0 for a URL that is not http://host:port[/path].
  explicit RegistryClient(std::string base_url);

  /// Registers `schema` (Avro) under `subject` and returns its id (the same id when the subject
  /// has it already). Errors: RegistryError 409 when the subject's compatibility refuses it,
  /// 422 for an invalid schema, 0 when the registry cannot be reached.
  int register_schema(const std::string& subject, const std::string& schema);
  /// Whether `schema` would be accepted under `subject` now. Errors: as register_schema.
  bool compatible(const std::string& subject, const std::string& schema);
  /// Sets the subject's compatibility level. Errors: RegistryError 422 for an unknown level.
  void set_compatibility(const std::string& subject, const std::string& level);
  /// The schema text of `id` (cached). Errors: RegistryError 404 for an unknown id.
  std::string schema_by_id(int id);
  std::vector<std::string> subjects();                              ///< Errors: RegistryError
  std::vector<int> versions(const std::string& subject);            ///< Errors: RegistryError 404
  SubjectVersion version(const std::string& subject, int version);  ///< Errors: RegistryError

  const std::string& base_url() const { return base_url_; }

 private:
  std::string request(const std::string& method, const std::string& path,
                      const std::string& body = "");
  std::string base_url_;
  std::string host_;
  int port_ = 0;
  std::string prefix_;
  std::mutex mutex_;
  std::map<int, std::string> by_id_;
};

}  // namespace klab::schema
