// Running classic scripts and calling global functions (for the transpiler, the WPT harness
// and the snapshot's setup code).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "js/lock.h"
#include "js/value.h"

namespace wisp::js {

// Compiles and runs a classic script; returns its completion value.
Value runScript(Lock& js, std::string_view name, std::string_view source);

// Same, for source text in static storage that lives as long as the process (text embedded in
// the binary): V8 reads it in place instead of copying it onto the isolate's heap.
Value runStaticScript(Lock& js, std::string_view name, std::string_view staticSource);

// Snapshot time: runs a bundle that reads `ops` and fills `internals` through two temporary
// globals (__wispOps, __wispInternals), removed again afterwards; `internals` is then kept as a
// private property of the global object, reachable only from C++ (IsolateData::internals).
void runRuntimeBundle(Lock& js, std::string_view name, std::string_view source, Value ops);

// Calls globalThis[name](...strings) and returns the result as a string.
std::string callGlobalFunction(Lock& js, const char* name, const std::vector<std::string>& args);

}  // namespace wisp::js
