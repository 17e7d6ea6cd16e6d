#include "kino/app/cli.hpp"

namespace kino::app {

std::string usage() {
  return "usage: kino <command> [options]\n"
         "commands:\n"
         "  serve     run the server (default)\n"
         "  migrate   apply database migrations and exit\n"
         "  routes    print the HTTP routes serve would register (METHOD PATTERN per line)\n"
         "  version   print the version\n"
         "options:\n"
         "  --config FILE       TOML configuration (see kino.toml)\n"
         "  --listen HOST:PORT  address to listen on; port 0 picks a free port\n"
         "  --data DIR          data directory (database, media)\n";
}

Result<CommandLine> parseCommandLine(const std::vector<std::string>& args) {
  CommandLine cl;
  cl.command = "serve";
  std::size_t i = 0;
  if (!args.empty() && !args[0].starts_with("-")) cl.command = args[i++];
  if (cl.command != "serve" && cl.command != "migrate" && cl.command != "routes" &&
      cl.command != "version" && cl.command != "help") {
    return Error::make(ErrorKind::kInvalid, "bad_command", "unknown command '" + cl.command + "'");
  }
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      cl.command = "help";
      continue;
    }
    if (a == "--version") {
      cl.command = "version";
      continue;
    }
    std::string name = a, value;
    if (auto eq = a.find('='); a.starts_with("--") && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if (a == "--config" || a == "--listen" || a == "--data") {
      if (i + 1 >= args.size()) {
        return Error::make(ErrorKind::kInvalid, "bad_flag", a + " needs a value");
      }
      value = args[++i];
    }
    if (name == "--config") cl.config_file = value;
    else if (name == "--listen") cl.listen = value;
    else if (name == "--data") cl.data_dir = value;
    else return Error::make(ErrorKind::kInvalid, "bad_flag", "unknown option '" + a + "'");
  }
  return cl;
}

}  // namespace kino::app
