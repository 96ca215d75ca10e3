// pvlanctl: the command-line client of pvland. Everything but argv handling lives in
// the pvland_ctlcli library (app.cc) so tests exercise the same code.
#include <iostream>
#include <string>
#include <vector>

#include "ctl/cli/app.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return pvland::ctl::RunPvlanctl(args, std::cin, std::cout, std::cerr);
}
