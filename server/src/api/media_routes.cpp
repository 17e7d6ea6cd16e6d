#include "kino/api/media_routes.hpp"

#include "kino/http/byte_range.hpp"

namespace kino::api {
namespace {

using http::Request;
using http::Response;
using http::RouteParams;

constexpr auto kSignedFor = std::chrono::hours(24);
constexpr std::uint64_t kMaxRead = 64ull << 20;  // one response body at most

std::string_view mediaType(std::string_view file) {
  auto ends = [&](std::string_view ext) {
    return file.size() >= ext.size() && file.substr(file.size() - ext.size()) == ext;
  };
  if (ends(".m3u8")) return "application/vnd.apple.mpegurl";
  if (ends(".ts")) return "video/mp2t";
  if (ends(".m4s")) return "video/iso.segment";
  if (ends(".mp4")) return "video/mp4";
  if (ends(".jpg")) return "image/jpeg";
  if (ends(".vtt")) return "text/vtt";
  return "application/octet-stream";
}

Response plain(int status, std::string text) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.headers.set("Cache-Control", "no-store");
  r.body = std::move(text);
  return r;
}

Response serve(const Request& req, storage::Store& store, storage::BlobStore& blobs,
               const std::string& asset, const std::string& key) {
  if (!storage::validBlobKey(key)) return plain(404, "Not found");
  auto info = blobs.stat(key);
  if (!info) return plain(info.error().kind == ErrorKind::kNotFound ? 404 : 500, "Not found");
  Response r;
  const bool playlist = key.size() > 5 && key.substr(key.size() - 5) == ".m3u8";
  if (playlist) {
    auto a = store.assets().find(asset);
    const bool final = a && a->state == "ready";
    r.headers.set("Cache-Control", final ? "public, max-age=60" : "no-cache");
  } else {
    r.headers.set("Cache-Control", "public, max-age=31536000, immutable");
  }
  r.headers.set("ETag", info->etag);
  r.headers.set("Accept-Ranges", "bytes");
  r.headers.set("Content-Type", std::string(mediaType(key)));
  if (http::etagMatches(req.headers.get("If-None-Match"), info->etag)) {
    r.status = 304;
    return r;
  }
  http::ByteRange range;
  switch (http::parseRange(req.headers.get("Range"), info->size, range)) {
    case http::RangeOutcome::kUnsatisfiable:
      r.status = 416;
      r.headers.set("Content-Range", "bytes */" + std::to_string(info->size));
      return r;
    case http::RangeOutcome::kPartial: {
      const auto length = std::min<std::uint64_t>(range.last - range.first + 1, kMaxRead);
      auto body = blobs.read(key, range.first, length);
      if (!body) return plain(500, "Read failed");
      r.status = 206;
      r.headers.set("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                         std::to_string(range.first + body->size() - 1) + "/" +
                                         std::to_string(info->size));
      r.body = std::move(body).value();
      return r;
    }
    case http::RangeOutcome::kFull:
      break;
  }
  if (info->size > kMaxRead) return plain(413, "Use Range requests for this file");
  auto body = blobs.read(key, 0, info->size);
  if (!body) return plain(500, "Read failed");
  r.body = std::move(body).value();
  return r;
}

}  // namespace

std::string mediaPrefix(const std::string& asset_id, bool is_public,
                        const common::UrlSigner& signer, common::TimePoint now) {
  if (is_public) return "/media/" + asset_id;
  return "/media/s/" + signer.token(asset_id, now + kSignedFor) + "/" + asset_id;
}

void addMediaRoutes(http::Router& router, storage::Store& store, storage::BlobStore& blobs,
                    const common::UrlSigner& signer, const common::Clock& clock) {
  auto unsigned_access = [&store, &blobs](const Request& req, const std::string& asset,
                                          const std::string& key) {
    auto open = store.assets().usedByPublicRoom(asset);
    if (!open || !*open) {
      return plain(403, "This video belongs to a private room. Open it from the room's page.");
    }
    return serve(req, store, blobs, asset, key);
  };
  auto signed_access = [&store, &blobs, &signer, &clock](const Request& req,
                                                         const RouteParams& p,
                                                         const std::string& key) {
    if (!signer.valid(p.get("asset"), p.get("token"), clock.now())) {
      return plain(403, "This video link has expired. Reload the room's page.");
    }
    return serve(req, store, blobs, p.get("asset"), key);
  };
  router.add("GET", "/media/{asset}/{file}", [unsigned_access](const Request& req,
                                                               const RouteParams& p) {
    return unsigned_access(req, p.get("asset"), p.get("asset") + "/" + p.get("file"));
  });
  router.add("GET", "/media/{asset}/{dir}/{file}", [unsigned_access](const Request& req,
                                                                     const RouteParams& p) {
    return unsigned_access(req, p.get("asset"),
                           p.get("asset") + "/" + p.get("dir") + "/" + p.get("file"));
  });
  router.add("GET", "/media/s/{token}/{asset}/{file}", [signed_access](const Request& req,
                                                                       const RouteParams& p) {
    return signed_access(req, p, p.get("asset") + "/" + p.get("file"));
  });
  router.add("GET", "/media/s/{token}/{asset}/{dir}/{file}", [signed_access](
                                                                 const Request& req,
                                                                 const RouteParams& p) {
    return signed_access(req, p, p.get("asset") + "/" + p.get("dir") + "/" + p.get("file"));
  });
}

}  // namespace kino::api
