#pragma once
// Method + path-pattern routing. Patterns are literal segments and `{name}` captures of one whole
// segment, e.g. "/api/v1/rooms/{slug}/messages". Captures are percent-decoded. Not thread-safe to
// add() while matching; build it once at start-up.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kino/http/message.hpp"

namespace kino::http {

class RouteParams {
 public:
  void set(std::string name, std::string value) { values_[std::move(name)] = std::move(value); }
  // The captured value; empty when the pattern has no such capture.
  const std::string& get(const std::string& name) const;

 private:
  std::map<std::string, std::string> values_;
};

// Runs on a worker thread; may block.
using Handler = std::function<Response(const Request&, const RouteParams&)>;

class Router {
 public:
  void add(std::string method, std::string_view pattern, Handler handler);

  struct RouteInfo {
    std::string method;
    std::string pattern;  // as given to add()
    bool operator==(const RouteInfo&) const = default;
  };
  // Every route added, in the order of add() (what `kino routes` prints).
  std::vector<RouteInfo> routes() const;

  enum class Outcome { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Handler* handler = nullptr;  // kFound only; owned by the router
    RouteParams params;
    std::vector<std::string> allowed;  // kMethodNotAllowed: methods the path accepts
  };
  Match match(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" marks a capture
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace kino::http
