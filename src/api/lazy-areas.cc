#include "api/lazy-areas.h"

#include <string_view>

#include "js/error.h"
#include "js/script.h"

// The area list comes from the build (CMakeLists.txt): one WISP_AREA(name) per folder of
// src/api/js with an index.js, each bundle linked in as wisp_area_<name>[] .. _end[].
#define WISP_AREA(name) \
  extern "C" const char wisp_area_##name[]; \
  extern "C" const char wisp_area_##name##_end[];
#include "lazy-areas.inc"
#undef WISP_AREA

namespace wisp::api {
namespace {

struct AreaSource {
  std::string_view name;
  const char* begin;
  const char* end;
};

constexpr AreaSource kAreas[] = {
#define WISP_AREA(name) {#name, wisp_area_##name, wisp_area_##name##_end},
#include "lazy-areas.inc"
#undef WISP_AREA
};

}  // namespace

js::Value loadArea(js::Lock& js, const std::string& name) {
  for (const auto& area : kAreas) {
    if (area.name != name) continue;
    std::string_view source(area.begin, static_cast<size_t>(area.end - area.begin));
    return js::runStaticScript(js, "wisp:area-" + name + ".js", source);
  }
  throw js::TypeError("wisp: unknown area \"" + name + "\"");
}

}  // namespace wisp::api
