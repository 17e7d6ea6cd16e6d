#include "kino/media/janus_config.hpp"

#include <sys/stat.h>

#include <fstream>

namespace kino::media {
namespace {

// jcfg strings are double-quoted; secrets are URL-safe random text, but quote defensively.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::map<std::string, std::string> janusConfigFiles(const JanusSettings& s) {
  std::map<std::string, std::string> files;
  std::string general =
      "general: {\n"
      "  configs_folder = " + quoted(s.config_dir.string()) + "\n"
      "  plugins_folder = " + quoted(s.plugins_dir) + "\n"
      "  transports_folder = " + quoted(s.transports_dir) + "\n"
      "  debug_level = 3\n"
      "  debug_timestamps = true\n"
      "  api_secret = " + quoted(s.api_secret) + "\n"
      "  admin_secret = " + quoted(s.admin_secret) + "\n"
      "  session_timeout = " + std::to_string(s.session_timeout_s) + "\n"
      "  reclaim_session_timeout = " + std::to_string(s.reclaim_session_timeout_s) + "\n"
      "  interface = \"127.0.0.1\"\n"
      "}\n"
      "media: {\n"
      "  rtp_port_range = \"" + std::to_string(s.rtp_min) + "-" + std::to_string(s.rtp_max) + "\"\n"
      "  no_media_timer = 2\n"
      "}\n"
      "nat: {\n"
      "  full_trickle = true\n"
      "  ignore_mdns = true\n";
  if (!s.ice_interface.empty()) general += "  ice_enforce_list = " + quoted(s.ice_interface) + "\n";
  general +=
      "}\n"
      "plugins: {\n"
      "  disable = \"libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,"
      "libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,"
      "libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so\"\n"
      "}\n"
      "transports: {\n"
      "  disable = \"libjanus_http.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,"
      "libjanus_rabbitmq.so\"\n"
      "}\n"
      "loggers: { disable = \"libjanus_jsonlog.so\" }\n"
      "events: { broadcast = false }\n";
  files["janus.jcfg"] = general;
  files["janus.transport.websockets.jcfg"] =
      "general: {\n"
      "  json = \"compact\"\n"
      "  ws = true\n"
      "  ws_port = " + std::to_string(s.ws_port) + "\n"
      "  ws_ip = \"127.0.0.1\"\n"
      "  wss = false\n"
      "}\n"
      "admin: {\n"
      "  admin_ws = false\n"
      "  admin_wss = false\n"
      "}\n";
  files["janus.plugin.videoroom.jcfg"] =
      "general: {\n"
      "  admin_key = " + quoted(s.videoroom_admin_key) + "\n"
      "}\n";
  return files;
}

Result<void> writeJanusConfig(const JanusSettings& s) {
  std::error_code ec;
  std::filesystem::create_directories(s.config_dir, ec);
  if (ec) {
    return Error::make(ErrorKind::kInternal, "janus_config",
                       "cannot create " + s.config_dir.string() + ": " + ec.message());
  }
  chmod(s.config_dir.c_str(), 0700);
  for (const auto& [name, content] : janusConfigFiles(s)) {
    const auto path = s.config_dir / name;
    std::ofstream out(path, std::ios::trunc);
    out << content;
    if (!out) return Error::make(ErrorKind::kInternal, "janus_config", "cannot write " + path.string());
    out.close();
    chmod(path.c_str(), 0600);
  }
  return success();
}

}  // namespace kino::media
