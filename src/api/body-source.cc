#include "api/body-source.h"

#include <cmath>

#include "api/host.h"
#include "js/error.h"

namespace wisp::api {
namespace {

uint64_t idFrom(double id) {
  if (!(id >= 1) || id != std::floor(id)) throw js::TypeError("Invalid body id.");
  return static_cast<uint64_t>(id);
}

constexpr const char* kNoBodies = "Streamed bodies are not available here.";

}  // namespace

js::Value BodyOps::bodyRead(js::Lock& js, double id) { return Host::current(js).readBody(js, idFrom(id)); }

void BodyOps::bodyCancel(js::Lock& js, double id) { Host::current(js).cancelBody(idFrom(id)); }

// Hosts without streamed bodies (none in the runtime today; test doubles).
js::Value Host::readBody(js::Lock&, uint64_t) { throw js::TypeError(kNoBodies); }
void Host::cancelBody(uint64_t) {}
std::shared_ptr<io::BodySource> Host::bodyFromJs(js::Lock&, uint64_t, std::optional<uint64_t>) {
  throw js::TypeError(kNoBodies);
}

}  // namespace wisp::api
