#include "kino/http/router.hpp"

#include <algorithm>

namespace kino::http {
namespace {

// "/a/b" -> {"a","b"}; "/" -> {""}; empty segments are kept, so "/a/" differs from "/a".
std::vector<std::string_view> split(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::vector<std::string_view> out;
  for (;;) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool isCapture(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

}  // namespace

const std::string& RouteParams::get(const std::string& name) const {
  static const std::string kEmpty;
  auto it = values_.find(name);
  return it == values_.end() ? kEmpty : it->second;
}

void Router::add(std::string method, std::string_view pattern, Handler handler) {
  Route r{std::move(method), std::string(pattern), {}, std::move(handler)};
  for (auto seg : split(pattern)) r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const Route& r : routes_) out.push_back({r.method, r.pattern});
  return out;
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  const auto segs = split(path);
  for (const Route& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    RouteParams params;
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      if (isCapture(r.segments[i])) {
        auto decoded = percentDecode(segs[i]);
        if (!decoded || decoded->empty()) {
          ok = false;
        } else {
          params.set(r.segments[i].substr(1, r.segments[i].size() - 2), std::move(*decoded));
        }
      } else {
        ok = r.segments[i] == segs[i];
      }
    }
    if (!ok) continue;
    if (r.method == method) {
      result.outcome = Outcome::kFound;
      result.handler = &r.handler;
      result.params = std::move(params);
      return result;
    }
    if (std::find(result.allowed.begin(), result.allowed.end(), r.method) == result.allowed.end()) {
      result.allowed.push_back(r.method);
    }
  }
  result.outcome = result.allowed.empty() ? Outcome::kNotFound : Outcome::kMethodNotAllowed;
  return result;
}

}  // namespace kino::http
