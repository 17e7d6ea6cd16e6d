#pragma once
// The media origin: GET /media/<asset>/<file> and /media/<asset>/v<i>/<file> serve HLS playlists,
// segments and posters from the BlobStore with Range, ETag/If-None-Match and CDN-friendly cache
// headers. Media of an asset that no public room shows needs a signed path:
// /media/s/<token>/<asset>/... (token from mediaPaths()).
// Bodies are streamed from the BlobStore in chunks (see http::BodySource), one read of
// BlobStore::preferredReadSize() at a time (256 KiB on disk, 1 MiB from S3), so a slow reader holds
// one read, not the file; whole files of any size are served, with or without Range.

#include <cstddef>
#include <string>

#include "kino/common/clock.hpp"
#include "kino/common/url_signer.hpp"
#include "kino/http/router.hpp"
#include "kino/storage/blob_store.hpp"
#include "kino/storage/store.hpp"

namespace kino::api {

struct MediaOriginOptions {
  // Media bodies sent at the same time to one client address; more get 429
  // "too_many_media_streams" with Retry-After (a player retries).
  std::size_t max_streams_per_address = 16;
};

void addMediaRoutes(http::Router& router, storage::Store& store, storage::BlobStore& blobs,
                    const common::UrlSigner& signer, const common::Clock& clock,
                    MediaOriginOptions options = {});

// The path prefix for an asset's media: "/media/<asset>" when `is_public`, else a signed prefix
// valid for a day.
std::string mediaPrefix(const std::string& asset_id, bool is_public,
                        const common::UrlSigner& signer, common::TimePoint now);

}  // namespace kino::api
