// wisp's startup snapshot: the global scope (every Web API class and the bundled JS) built once
// at build time by `wisp-mksnapshot`, embedded in the binary, and deserialised by every new
// isolate, so creating a Worker runs no setup JS.
#pragma once

#include <functional>
#include <span>
#include <string>

#include "js/lock.h"

namespace wisp::js {

using InstallGlobals = std::function<void(Lock&)>;

// Builds a snapshot blob: registers every class template, creates the context, calls
// `install` to populate the global scope, and serialises it.
std::string buildSnapshot(const InstallGlobals& install);

// The blob linked into this binary (empty in the generator itself).
std::span<const char> embeddedSnapshot();

// Name of the private global property holding the runtime's internal JS object.
constexpr const char* kInternalsKey = "wisp:internals";

}  // namespace wisp::js
