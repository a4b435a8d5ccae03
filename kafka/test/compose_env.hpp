#pragma once
// How the apache/kafka image names a broker property as an environment variable, shared by
// the compose tests.
#include <cctype>
#include <string>

namespace klab::compose {

/// KAFKA_FOO_BAR for foo.bar: a literal '_' is written "__", a '-' "___".
inline std::string env_name_of(const std::string& property) {
  std::string out = "KAFKA_";
  for (char c : property) {
    if (c == '.')
      out += '_';
    else if (c == '_')
      out += "__";
    else if (c == '-')
      out += "___";
    else
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace klab::compose
