// libFuzzer target: Janus's replies are untrusted input to Kino.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kino/media/janus_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = kino::media::parseJanusMessage(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (m && m->plugin_data) (void)kino::media::videoroomError(*m->plugin_data);
  return 0;
}
