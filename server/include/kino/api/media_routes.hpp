#pragma once
// The media origin: GET /media/<asset>/<file> and /media/<asset>/v<i>/<file> serve HLS playlists,
// segments and posters from the BlobStore with Range, ETag/If-None-Match and CDN-friendly cache
// headers. Media of an asset that no public room shows needs a signed path:
// /media/s/<token>/<asset>/... (token from mediaPaths()).

#include <string>

#include "kino/common/clock.hpp"
#include "kino/common/url_signer.hpp"
#include "kino/http/router.hpp"
#include "kino/storage/blob_store.hpp"
#include "kino/storage/store.hpp"

namespace kino::api {

void addMediaRoutes(http::Router& router, storage::Store& store, storage::BlobStore& blobs,
                    const common::UrlSigner& signer, const common::Clock& clock);

// The path prefix for an asset's media: "/media/<asset>" when `is_public`, else a signed prefix
// valid for a day.
std::string mediaPrefix(const std::string& asset_id, bool is_public,
                        const common::UrlSigner& signer, common::TimePoint now);

}  // namespace kino::api
