#include "kino/common/result.hpp"

#include <system_error>

namespace kino {

std::string errnoText(int err) { return std::generic_category().message(err); }

}  // namespace kino
