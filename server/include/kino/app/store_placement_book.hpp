#pragma once
// The media module's PlacementBook kept in the Store port (table media_placements), so Kino nodes
// sharing one database and the same Janus nodes agree where each room's call is.

#include "kino/common/clock.hpp"
#include "kino/media/call_placement.hpp"
#include "kino/storage/store.hpp"

namespace kino::app {

// `placements` and `clock` must outlive the book. Its functions block on the store.
media::PlacementBook storePlacementBook(storage::MediaPlacementRepository& placements,
                                        const common::Clock& clock);

}  // namespace kino::app
