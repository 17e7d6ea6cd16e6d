#include "kino/http/static_site.hpp"

#include <fstream>
#include <sstream>
#include <system_error>

namespace kino::http {
namespace {

namespace fs = std::filesystem;

// Decodes the URL path and checks every segment; nullopt for anything that could escape the root.
std::optional<fs::path> safeRelativePath(std::string_view url_path) {
  auto decoded = percentDecode(url_path);
  if (!decoded) return std::nullopt;
  fs::path rel;
  std::string_view rest(*decoded);
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (seg.empty()) continue;
    if (seg == "." || seg == ".." || seg.find('\\') != std::string_view::npos ||
        seg.front() == '.') {
      return std::nullopt;  // also hides dotfiles
    }
    rel /= std::string(seg);
  }
  return rel;
}

bool within(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), pi = p.begin();
  for (; r != root.end(); ++r, ++pi) {
    if (pi == p.end() || *r != *pi) return false;
  }
  return true;
}

Response plain(int status, std::string_view text) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.body = std::string(text);
  return r;
}

}  // namespace

Response bundleUnavailablePage() {
  Response r;
  r.status = 500;
  r.headers.set("Content-Type", "text/html; charset=utf-8");
  r.headers.set("Cache-Control", "no-store");
  r.headers.set("Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  r.body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Kino is unavailable"
      "</title><meta name=\"viewport\" content=\"width=device-width\"></head>"
      "<body style=\"background:#111;color:#eee;font-family:system-ui,sans-serif;padding:3rem\">"
      "<h1>Something went wrong on our side</h1><p>The Kino web app could not be loaded. Please try "
      "again in a minute; if it keeps happening, tell the person who runs this server.</p>"
      "<p><a style=\"color:#9cf\" href=\"/\">Try again</a></p></body></html>";
  return r;
}

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

StaticSite::StaticSite(const fs::path& root, AppPageFn pages) : pages_(std::move(pages)) {
  std::error_code ec;
  auto canonical = fs::canonical(root, ec);
  if (!ec && fs::is_directory(canonical, ec)) root_ = canonical;
}

std::string_view StaticSite::mimeType(const fs::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".webmanifest") return "application/manifest+json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".webp") return "image/webp";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".wasm") return "application/wasm";
  return "application/octet-stream";
}

Response StaticSite::serve(const Request& request) const {
  if (root_.empty()) return bundleUnavailablePage();
  auto rel = safeRelativePath(request.path);
  if (!rel) return plain(404, "Not found");

  std::error_code ec;
  if (!rel->empty()) {
    const fs::path candidate = fs::weakly_canonical(root_ / *rel, ec);
    if (!ec && within(root_, candidate) && fs::is_regular_file(candidate, ec)) {
      const bool immutable = rel->begin() != rel->end() && *rel->begin() == "assets";
      return serveFile(request, candidate, immutable);
    }
    // A missing file with an extension (a stale chunk, a typo'd image) is a real 404, not the app.
    if (rel->has_extension()) return plain(404, "Not found");
  }
  const fs::path index = root_ / "index.html";
  if (!fs::is_regular_file(index, ec)) return bundleUnavailablePage();
  if (pages_) return serveAppPage(request, index);
  return serveFile(request, index, false);
}

Response StaticSite::serveAppPage(const Request& request, const fs::path& index) const {
  const AppPage page = pages_(request);
  std::ifstream in(index, std::ios::binary);
  if (!in) return bundleUnavailablePage();
  std::ostringstream read;
  read << in.rdbuf();
  std::string html = read.str();
  if (!page.title.empty()) {
    const auto open = html.find("<title>");
    const auto close = html.find("</title>");
    if (open != std::string::npos && close != std::string::npos && open < close) {
      html.replace(open + 7, close - open - 7, escapeHtml(page.title));
    }
  }
  if (!page.head.empty()) {
    if (const auto end = html.find("</head>"); end != std::string::npos) html.insert(end, page.head);
  }
  Response r;
  r.status = page.status;
  // Depends on the visitor and the room: never stored by a shared cache, always asked again.
  r.headers.set("Cache-Control", "private, no-cache");
  r.headers.set("Content-Type", "text/html; charset=utf-8");
  r.body = std::move(html);
  return r;
}

Response StaticSite::serveFile(const Request& request, const fs::path& file, bool immutable) const {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  const auto mtime = fs::last_write_time(file, ec);
  if (ec) return bundleUnavailablePage();
  std::ostringstream tag;
  tag << '"' << std::hex << size << '-' << mtime.time_since_epoch().count() << '"';

  Response r;
  r.headers.set("ETag", tag.str());
  r.headers.set("Cache-Control",
                immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (etagMatches(request.headers.get("If-None-Match"), tag.str())) {
    r.status = 304;
    return r;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return bundleUnavailablePage();
  std::ostringstream body;
  body << in.rdbuf();
  r.body = body.str();
  r.headers.set("Content-Type", std::string(mimeType(file)));
  return r;
}

}  // namespace kino::http
