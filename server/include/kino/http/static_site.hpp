#pragma once
// Serves the built single-page app from a directory: files with MIME types and cache headers
// (hashed /assets/* immutable, the rest revalidated), ETag/304, and index.html for any other path
// (history fallback). Paths that try to leave the root are refused. Thread-safe.

#include <filesystem>

#include "kino/http/message.hpp"

namespace kino::http {

class StaticSite {
 public:
  explicit StaticSite(const std::filesystem::path& root);

  // GET/HEAD only. When the bundle is missing, answers 500 with a plain HTML page.
  Response serve(const Request& request) const;

  // MIME type from a file name's extension; "application/octet-stream" when unknown.
  static std::string_view mimeType(const std::filesystem::path& file);

 private:
  Response serveFile(const Request& request, const std::filesystem::path& file, bool immutable) const;

  std::filesystem::path root_;  // canonical, or empty when it does not exist
};

// The plain page shown when the web bundle cannot be loaded.
Response bundleUnavailablePage();

}  // namespace kino::http
