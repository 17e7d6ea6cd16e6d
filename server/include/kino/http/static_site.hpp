#pragma once
// Serves the built single-page app from a directory: files with MIME types and cache headers
// (hashed /assets/* immutable, the rest revalidated), ETag/304, and index.html for any other path
// (history fallback). Paths that try to leave the root are refused. Thread-safe.

#include <filesystem>
#include <functional>
#include <string>

#include "kino/http/message.hpp"

namespace kino::http {

// What the history fallback answers for one path, before the app runs in the browser: the HTTP
// status (404 for a page the app does not have, 403 for a room the visitor may not see), a <title>
// ("" keeps index.html's) and tags to add to <head> (link previews). `title` is text; `head` is HTML
// whose every value the maker escaped (escapeHtml).
struct AppPage {
  int status = 200;
  std::string title;
  std::string head;
};
using AppPageFn = std::function<AppPage(const Request&)>;

// `text` safe inside HTML text and double-quoted attribute values.
std::string escapeHtml(std::string_view text);

class StaticSite {
 public:
  // Without `pages` every history fallback is index.html as it is, with 200. `pages` may block
  // (serve is called on a worker thread).
  explicit StaticSite(const std::filesystem::path& root, AppPageFn pages = {});

  // GET/HEAD only. When the bundle is missing, answers 500 with a plain HTML page.
  Response serve(const Request& request) const;

  // MIME type from a file name's extension; "application/octet-stream" when unknown.
  static std::string_view mimeType(const std::filesystem::path& file);

 private:
  Response serveFile(const Request& request, const std::filesystem::path& file, bool immutable) const;
  Response serveAppPage(const Request& request, const std::filesystem::path& index) const;

  std::filesystem::path root_;  // canonical, or empty when it does not exist
  AppPageFn pages_;
};

// The plain page shown when the web bundle cannot be loaded.
Response bundleUnavailablePage();

}  // namespace kino::http
