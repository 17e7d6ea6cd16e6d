#include "kino/media/call_placement.hpp"

namespace kino::media {
namespace {

std::optional<std::size_t> indexOf(const std::vector<NodeView>& nodes, const std::string& name) {
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == name) return i;
  }
  return std::nullopt;
}

Result<std::size_t> known(const std::vector<NodeView>& nodes, const std::string& name) {
  if (auto i = indexOf(nodes, name)) return *i;
  return Error::make(
      ErrorKind::kUnavailable, "media_placement_unknown",
      "the room's call is on Janus node " + name + ", which this Kino node is not configured with");
}

}  // namespace

Result<std::size_t> chooseNode(std::int64_t room_id, const std::vector<NodeView>& nodes,
                               std::optional<std::size_t> current, const PlacementBook& book) {
  std::optional<std::size_t> preferred;
  if (current && *current < nodes.size() && nodes[*current].healthy) {
    preferred = current;
  } else {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (!nodes[i].healthy) continue;
      if (!preferred || nodes[i].calls < nodes[*preferred].calls) preferred = i;
    }
  }
  if (!preferred) return current.value_or(0);
  if (!book.shared()) return *preferred;

  const std::string& mine = nodes[*preferred].name;
  auto recorded = book.place(room_id, mine);
  if (!recorded) return recorded.error();
  if (auto i = indexOf(nodes, *recorded); i && nodes[*i].healthy) return *i;
  auto moved = book.move(room_id, *recorded, mine);
  if (!moved) return moved.error();
  return known(nodes, *moved);
}

}  // namespace kino::media
