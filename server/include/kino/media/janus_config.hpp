#pragma once
// The configuration Kino writes for the Janus child process it runs (embedded mode): only the
// WebSocket transport, bound to loopback, random API/admin secrets, the VideoRoom plugin with an
// admin key, an RTP port range, and ICE restricted to one interface. Never the packaged /etc/janus.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "kino/common/result.hpp"

namespace kino::media {

struct JanusSettings {
  std::filesystem::path config_dir;  // where the .jcfg files go
  std::string api_secret;
  std::string admin_secret;
  std::string videoroom_admin_key;
  std::uint16_t ws_port = 0;
  std::uint16_t rtp_min = 20000;
  std::uint16_t rtp_max = 20999;
  std::string ice_interface;  // e.g. "kino0"; empty = let Janus choose (not loopback)
  std::string plugins_dir = "/usr/lib/x86_64-linux-gnu/janus/plugins";
  std::string transports_dir = "/usr/lib/x86_64-linux-gnu/janus/transports";
  int session_timeout_s = 60;
  // How long Janus keeps the sessions of a Kino node whose connection went away (it died): their
  // PeerConnections go on carrying media while the browsers join again through another node and
  // switch over (make-before-break, web/src/core/call/handover.ts). Longer than the browsers' handover.
  int reclaim_session_timeout_s = 20;
};

// File name → content of every config file Janus needs. Pure.
std::map<std::string, std::string> janusConfigFiles(const JanusSettings& s);

// Writes the files (mode 0600: they hold secrets) into s.config_dir, creating it.
Result<void> writeJanusConfig(const JanusSettings& s);

}  // namespace kino::media
