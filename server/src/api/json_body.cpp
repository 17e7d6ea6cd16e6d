#include "kino/api/json_body.hpp"

#include <boost/json/parse.hpp>

namespace kino::api {

Result<boost::json::object> parseObject(const http::Request& request) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(request.body, ec);
  if (ec || !v.is_object()) {
    return Error::make(ErrorKind::kMalformed, "malformed_json",
                       "The request body must be a JSON object.");
  }
  return std::move(v.as_object());
}

Result<std::string> requiredString(const boost::json::object& body, std::string_view key) {
  const auto* v = body.if_contains(key);
  if (!v || v->is_null() || (v->is_string() && v->as_string().empty())) {
    return Error::make(ErrorKind::kInvalid, "invalid_field", std::string(key) + " is required.",
                       std::string(key));
  }
  if (!v->is_string()) {
    return Error::make(ErrorKind::kInvalid, "invalid_field", std::string(key) + " must be text.",
                       std::string(key));
  }
  return std::string(v->as_string());
}

Result<std::optional<std::string>> optionalString(const boost::json::object& body,
                                                  std::string_view key) {
  const auto* v = body.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) {
    return Error::make(ErrorKind::kInvalid, "invalid_field", std::string(key) + " must be text.",
                       std::string(key));
  }
  return std::optional<std::string>(std::string(v->as_string()));
}

}  // namespace kino::api
