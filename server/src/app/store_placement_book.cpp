#include "kino/app/store_placement_book.hpp"

namespace kino::app {

media::PlacementBook storePlacementBook(storage::MediaPlacementRepository& placements,
                                        const common::Clock& clock) {
  media::PlacementBook book;
  book.place = [&placements, &clock](std::int64_t room,
                                     const std::string& node) -> Result<std::string> {
    auto r = placements.place(room, node, clock.now());
    if (!r) return r.error();
    return r->janus_node;
  };
  book.move = [&placements, &clock](std::int64_t room, const std::string& from,
                                    const std::string& to) -> Result<std::string> {
    auto r = placements.move(room, from, to, clock.now());
    if (!r) return r.error();
    return r->janus_node;
  };
  book.forget = [&placements](std::int64_t room, const std::string& node) {
    return placements.forget(room, node);
  };
  return book;
}

}  // namespace kino::app
