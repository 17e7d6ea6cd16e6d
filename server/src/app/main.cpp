#include <iostream>
#include <string>
#include <vector>

#include "kino/app/app.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto cl = kino::app::parseCommandLine(args);
  if (!cl) {
    std::cerr << "kino: " << cl.error().message << "\n\n" << kino::app::usage();
    return 2;
  }
  return kino::app::run(*cl);
}
