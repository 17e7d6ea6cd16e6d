#include "kino/api/media_routes.hpp"

#include <memory>

#include "kino/common/concurrency_cap.hpp"
#include "kino/http/byte_range.hpp"

namespace kino::api {
namespace {

using http::Request;
using http::Response;
using http::RouteParams;

constexpr auto kSignedFor = std::chrono::hours(24);

// Bytes [offset, offset + length) of one blob, read while the listener sends them: one
// BlobStore::read of preferredReadSize() bytes at a time (a remote store prefers fewer, larger
// requests), handed out in pieces of at most what the listener asks for. Holds one read's bytes and
// its client's media slot until the response is done.
class BlobBody final : public http::BodySource {
 public:
  BlobBody(storage::BlobStore& blobs, std::string key, std::uint64_t offset, std::uint64_t length,
           common::ConcurrencyCap::Slot slot)
      : blobs_(blobs), key_(std::move(key)), next_(offset), left_(length), size_(length),
        slot_(std::move(slot)) {}

  std::uint64_t size() const override { return size_; }

  Result<std::string> next(std::size_t max) override {
    if (used_ == buffer_.size()) {
      const std::uint64_t want =
          std::min<std::uint64_t>(std::max<std::uint64_t>(max, blobs_.preferredReadSize()), left_);
      auto bytes = blobs_.read(key_, next_, want);
      if (!bytes) return bytes.error();
      if (bytes->empty() && left_ > 0) return Error::internal("the media file shrank while sent");
      next_ += bytes->size();
      left_ -= std::min<std::uint64_t>(bytes->size(), left_);
      buffer_ = std::move(bytes).value();
      used_ = 0;
    }
    const std::size_t n = std::min(max, buffer_.size() - used_);
    if (used_ == 0 && n == buffer_.size()) {  // the whole read in one piece: no copy
      std::string all = std::move(buffer_);
      buffer_.clear();
      return all;
    }
    std::string piece = buffer_.substr(used_, n);
    used_ += n;
    return piece;
  }

 private:
  storage::BlobStore& blobs_;
  const std::string key_;
  std::uint64_t next_;  // the blob offset of the next read
  std::uint64_t left_;  // bytes not read from the blob yet
  const std::uint64_t size_;
  std::string buffer_;    // the last read
  std::size_t used_ = 0;  // bytes of buffer_ handed out
  common::ConcurrencyCap::Slot slot_;
};

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

Response tooManyStreams(std::size_t cap) {
  Error e = Error::make(ErrorKind::kRateLimited, "too_many_media_streams",
                        "More than " + std::to_string(cap) +
                            " videos are downloading to your address at once; try again in a "
                            "moment.");
  e.retry_after = std::chrono::seconds(1);
  return Response::error(e);
}

// The response for `key` of `asset`; its body (200 or 206) takes one of `req`'s address slots.
Response serve(const Request& req, storage::Store& store, storage::BlobStore& blobs,
               common::ConcurrencyCap& streams, const std::string& asset,
               const std::string& key) {
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
  http::ByteRange range{0, info->size == 0 ? 0 : info->size - 1};
  switch (http::parseRange(req.headers.get("Range"), info->size, range)) {
    case http::RangeOutcome::kUnsatisfiable:
      r.status = 416;
      r.headers.set("Content-Range", "bytes */" + std::to_string(info->size));
      return r;
    case http::RangeOutcome::kPartial:
      r.status = 206;
      r.headers.set("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                         std::to_string(range.last) + "/" +
                                         std::to_string(info->size));
      break;
    case http::RangeOutcome::kFull:
      range = {0, info->size == 0 ? 0 : info->size - 1};
      break;
  }
  const std::uint64_t length = info->size == 0 ? 0 : range.last - range.first + 1;
  auto slot = streams.tryAcquire(req.remote_ip);
  if (!slot) return tooManyStreams(streams.maxPerKey());
  r.source = std::make_shared<BlobBody>(blobs, key, range.first, length, std::move(*slot));
  return r;
}

}  // namespace

std::string mediaPrefix(const std::string& asset_id, bool is_public,
                        const common::UrlSigner& signer, common::TimePoint now) {
  if (is_public) return "/media/" + asset_id;
  return "/media/s/" + signer.token(asset_id, now + kSignedFor) + "/" + asset_id;
}

void addMediaRoutes(http::Router& router, storage::Store& store, storage::BlobStore& blobs,
                    const common::UrlSigner& signer, const common::Clock& clock,
                    MediaOriginOptions options) {
  auto streams = std::make_shared<common::ConcurrencyCap>(options.max_streams_per_address);
  auto unsigned_access = [&store, &blobs, streams](const Request& req, const std::string& asset,
                                                   const std::string& key) {
    auto open = store.assets().usedByPublicRoom(asset);
    if (!open || !*open) {
      return plain(403, "This video belongs to a private room. Open it from the room's page.");
    }
    return serve(req, store, blobs, *streams, asset, key);
  };
  auto signed_access = [&store, &blobs, &signer, &clock, streams](const Request& req,
                                                                  const RouteParams& p,
                                                                  const std::string& key) {
    if (!signer.valid(p.get("asset"), p.get("token"), clock.now())) {
      return plain(403, "This video link has expired. Reload the room's page.");
    }
    return serve(req, store, blobs, *streams, p.get("asset"), key);
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
