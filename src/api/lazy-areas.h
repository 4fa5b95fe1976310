// The lazy areas of the global scope (src/api/js/lazy.js): their bundled source is embedded in
// the binary and compiled into an isolate only when its JavaScript first asks for the area.
#pragma once

#include <string>

#include "js/lock.h"
#include "js/value.h"

namespace wisp::api {

// Runs the area's bundle and returns its factory function, `(requireModule) => modules`.
// Throws a TypeError for an unknown area.
js::Value loadArea(js::Lock& js, const std::string& name);

}  // namespace wisp::api
