#include "kino/media/janus_config.hpp"

#include <gtest/gtest.h>

namespace kino::media {
namespace {

TEST(JanusConfigTest, BindsToLoopbackWithSecretsAndOnlyWhatKinoUses) {
  JanusSettings s;
  s.config_dir = "/tmp/kino-janus";
  s.api_secret = "api-s3cret";
  s.admin_secret = "admin-s3cret";
  s.videoroom_admin_key = "room-key";
  s.ws_port = 18188;
  s.ice_interface = "kino0";
  auto files = janusConfigFiles(s);
  const auto& core = files.at("janus.jcfg");
  EXPECT_NE(core.find("api_secret = \"api-s3cret\""), std::string::npos);
  EXPECT_NE(core.find("admin_secret = \"admin-s3cret\""), std::string::npos);
  EXPECT_NE(core.find("ice_enforce_list = \"kino0\""), std::string::npos);
  EXPECT_NE(core.find("rtp_port_range = \"20000-20999\""), std::string::npos);
  // A Kino node that dies leaves its sessions (and the browsers' media) running for a handover.
  EXPECT_NE(core.find("reclaim_session_timeout = 20"), std::string::npos);
  EXPECT_NE(core.find("libjanus_http.so"), std::string::npos);  // no HTTP transport
  EXPECT_NE(core.find("libjanus_streaming.so"), std::string::npos);  // only VideoRoom
  const auto& ws = files.at("janus.transport.websockets.jcfg");
  EXPECT_NE(ws.find("ws_ip = \"127.0.0.1\""), std::string::npos);
  EXPECT_NE(ws.find("ws_port = 18188"), std::string::npos);
  EXPECT_NE(ws.find("admin_ws = false"), std::string::npos);
  EXPECT_NE(files.at("janus.plugin.videoroom.jcfg").find("admin_key = \"room-key\""), std::string::npos);
}

TEST(JanusConfigTest, QuotesAreEscaped) {
  JanusSettings s;
  s.api_secret = "a\"b";
  EXPECT_NE(janusConfigFiles(s).at("janus.jcfg").find("\"a\\\"b\""), std::string::npos);
}

}  // namespace
}  // namespace kino::media
