#pragma once
// Reading JSON request bodies with the errors docs/api/openapi.yaml promises: 400 malformed_json
// when the body is not a JSON object, 422 invalid_field (with the field name) for a missing or
// mistyped field.

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "kino/common/result.hpp"
#include "kino/http/message.hpp"

namespace kino::api {

Result<boost::json::object> parseObject(const http::Request& request);
// The string at `key`; invalid_field when absent (or empty) or not a string.
Result<std::string> requiredString(const boost::json::object& body, std::string_view key);
// The string at `key`, or nullopt when absent or null; invalid_field when it is another type.
Result<std::optional<std::string>> optionalString(const boost::json::object& body,
                                                  std::string_view key);

}  // namespace kino::api
