// wisp-mksnapshot <out>: builds wisp's startup snapshot at build time (see js/snapshot.h).
#include <cstdio>
#include <fstream>
#include <iostream>

#include "api/global-scope.h"
#include "js/class.h"
#include "js/engine.h"
#include "js/snapshot.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: wisp-mksnapshot <output file>\n";
    return 2;
  }
  try {
    wisp::api::registerClasses(wisp::js::Registry::get());
    wisp::js::Engine::init({});
    std::string blob = wisp::js::buildSnapshot(&wisp::api::installGlobalScope);
    std::ofstream out(argv[1], std::ios::binary);
    out.write(blob.data(), static_cast<std::streamsize>(blob.size()));
    if (!out) {
      std::cerr << "wisp-mksnapshot: cannot write " << argv[1] << "\n";
      return 1;
    }
    std::cerr << "wisp-mksnapshot: " << blob.size() << " bytes\n";
  } catch (const std::exception& e) {
    std::cerr << "wisp-mksnapshot: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
