#pragma once
// The composition root: builds adapters from the configuration, wires the modules, runs a command.

#include "kino/app/cli.hpp"

namespace kino::app {

// Runs the command; returns the process exit code.
int run(const CommandLine& command_line);

}  // namespace kino::app
