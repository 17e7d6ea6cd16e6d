#include "kino/api/app_pages.hpp"

#include <algorithm>

#include "kino/http/pipeline.hpp"

namespace kino::api {
namespace {

constexpr std::size_t kDescriptionMax = 200;  // bytes of the room's description in a preview

std::string meta(std::string_view property, std::string_view content) {
  return "<meta property=\"" + std::string(property) + "\" content=\"" + http::escapeHtml(content) +
         "\" />";
}

// At most `max` bytes of UTF-8 `text`, cut at a character boundary, with "…" when cut.
std::string shortened(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "…";
}

// The slug of /r/<slug> (one trailing slash allowed); "" for any other path.
std::string_view roomSlug(std::string_view path) {
  if (!path.starts_with("/r/")) return {};
  std::string_view slug = path.substr(3);
  if (slug.ends_with('/')) slug.remove_suffix(1);
  if (slug.empty() || slug.find('/') != std::string_view::npos) return {};
  return slug;
}

constexpr std::string_view kNoIndex = "<meta name=\"robots\" content=\"noindex\" />";

}  // namespace

std::string previewTags(const rooms::RoomView& view, const std::string& origin,
                        const std::string& poster_path) {
  const auto& room = view.room;
  std::string description = "Hosted by " + room.owner_display_name;
  if (!room.description.empty()) description += " · " + shortened(room.description, kDescriptionMax);
  std::string tags = meta("og:site_name", "Kino") + meta("og:type", "video.other") +
                     meta("og:title", room.title) + meta("og:description", description) +
                     meta("og:url", origin + "/r/" + room.slug);
  if (!poster_path.empty()) tags += meta("og:image", origin + poster_path);
  tags += "<meta name=\"twitter:card\" content=\"" +
          std::string(poster_path.empty() ? "summary" : "summary_large_image") + "\" />";
  return tags;
}

http::AppPageFn appPages(AppPagesDeps deps) {
  return [deps = std::move(deps)](const http::Request& req) -> http::AppPage {
    const std::string_view path = req.path;
    if (std::find(std::begin(kAppPaths), std::end(kAppPaths), path) != std::end(kAppPaths)) {
      return {};
    }
    if (path == "/403") return {403, "", std::string(kNoIndex)};
    const std::string_view slug = roomSlug(path);
    if (slug.empty()) return {404, "", std::string(kNoIndex)};
    auto ctx = resolveVisitor(req, deps.accounts, deps.guests, false);
    auto view = deps.rooms.view(slug, ctx.visitor);
    if (!view) {
      switch (view.error().kind) {
        case ErrorKind::kNotFound: return {404, "", std::string(kNoIndex)};
        case ErrorKind::kForbidden: return {403, "", std::string(kNoIndex)};
        default: return {};  // the store is away: the app says so once it runs
      }
    }
    if (view->room.visibility != "public") return {200, "", std::string(kNoIndex)};
    const auto media = deps.media.describe(view->room);
    const auto* poster = media.if_contains("poster_url");
    const std::string poster_path = poster && poster->is_string() ? std::string(poster->as_string()) : "";
    return {200, view->room.title + " · Kino",
            previewTags(*view, http::ownOrigin(req, deps.public_origin), poster_path)};
  };
}

}  // namespace kino::api
