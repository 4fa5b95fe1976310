// The global scope every Worker starts with: the C++ Web API classes, the `ops` that the
// bundled JavaScript half of the runtime calls, and that bundle itself. Runs once, while the
// startup snapshot is built; a new isolate just deserialises the result.
#pragma once

#include "js/lock.h"

namespace wisp::js {
class Registry;
}

namespace wisp::api {

// Registers every C++ class exposed to JS, in a fixed order (part of the snapshot format).
void registerClasses(js::Registry& registry);

// Populates the global object of a fresh context (snapshot build time only).
void installGlobalScope(js::Lock& js);

}  // namespace wisp::api
