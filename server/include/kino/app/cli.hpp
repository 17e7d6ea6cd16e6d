#pragma once
// Command-line parsing for `kino <command> [flags]`. Later flags override earlier ones.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "kino/common/result.hpp"

namespace kino::app {

struct CommandLine {
  std::string command;  // "serve", "migrate", "routes", "backup", "restore", "version", "help"
  std::optional<std::filesystem::path> config_file;
  std::optional<std::string> listen;
  std::optional<std::filesystem::path> data_dir;
  // migrate only: copy an installation instead of migrating in place ("sqlite:PATH" →
  // "postgres:URL", or "disk:DIR" → "s3").
  std::optional<std::string> from;
  std::optional<std::string> to;
  // backup and restore: the backup folder.
  std::optional<std::filesystem::path> folder;
};

Result<CommandLine> parseCommandLine(const std::vector<std::string>& args);
std::string usage();

}  // namespace kino::app
