#include "kino/app/cli.hpp"

namespace kino::app {

std::string usage() {
  return "usage: kino <command> [options]\n"
         "commands:\n"
         "  serve     run the server (default)\n"
         "  migrate   apply database migrations and exit; with --from and --to, copy an\n"
         "            installation: --from sqlite:PATH --to postgres:URL (every row), or\n"
         "            --from disk:DIR --to s3 (every media file, into the [storage] s3_* bucket);\n"
         "            each copy is read back and compared\n"
         "  routes    print the HTTP routes serve would register (METHOD PATTERN per line)\n"
         "  backup DIR   copy the installation (SQLite database, media, keys) into the new\n"
         "               folder DIR; the server may keep running\n"
         "  restore DIR  copy a backup into an empty data directory (--data)\n"
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
      cl.command != "version" && cl.command != "help" && cl.command != "backup" &&
      cl.command != "restore") {
    return Error::make(ErrorKind::kInvalid, "bad_command", "unknown command '" + cl.command + "'");
  }
  if (cl.command == "backup" || cl.command == "restore") {
    if (i >= args.size() || args[i].starts_with("-")) {
      return Error::make(ErrorKind::kInvalid, "bad_flag", cl.command + " needs a folder: kino " +
                                                              cl.command + " DIR");
    }
    cl.folder = args[i++];
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
    } else if (a == "--config" || a == "--listen" || a == "--data" || a == "--from" ||
               a == "--to") {
      if (i + 1 >= args.size()) {
        return Error::make(ErrorKind::kInvalid, "bad_flag", a + " needs a value");
      }
      value = args[++i];
    }
    if (name == "--config") cl.config_file = value;
    else if (name == "--listen") cl.listen = value;
    else if (name == "--data") cl.data_dir = value;
    else if (name == "--from") cl.from = value;
    else if (name == "--to") cl.to = value;
    else return Error::make(ErrorKind::kInvalid, "bad_flag", "unknown option '" + a + "'");
  }
  if ((cl.from || cl.to) && (cl.command != "migrate" || !cl.from || !cl.to)) {
    return Error::make(ErrorKind::kInvalid, "bad_flag", "--from and --to go together, with migrate");
  }
  return cl;
}

}  // namespace kino::app
