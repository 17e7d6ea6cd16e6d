#pragma once
// Adapter-level (includes Beast): how the HTTP listener hands a connection that asked for a
// WebSocket upgrade to the code that serves it. Only adapter translation units include this.

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <memory>

#include "kino/http/message.hpp"

namespace kino::http {

struct Upgrade {
  boost::beast::tcp_stream stream;
  boost::beast::http::request<boost::beast::http::string_body> beast_request;
  Request request;  // the same request as Kino's transport-neutral value (request id not set)
  // Counts the connection as open for graceful shutdown until the handler drops it.
  std::shared_ptr<void> open_guard;
};

// Takes the connection over; must start its own coroutine on the stream's executor. Called on the
// connection's strand.
using UpgradeHandler = std::function<void(Upgrade&&)>;

}  // namespace kino::http
