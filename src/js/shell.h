// Shells: host objects whose unknown string-keyed properties, and whose calls, are answered by
// JavaScript. Workers RPC needs objects on which any property name is a method (`stub.anyName()`),
// that may be callable (a function passed over RPC arrives as a callable stub), and that V8's
// serializer and deserializer treat as host objects rather than ordinary objects. A Proxy is none
// of that, so RPC stubs are shells (src/api/js/rpc/).
//
// A shell has a [[Prototype]] (a JS class's prototype: its real methods and accessors) and a
// dispatcher, a JS object with two functions:
//   dispatcher.get(shell, name)        a string-keyed property found nowhere on the prototype
//                                      chain; undefined means "no such property"
//   dispatcher.apply(shell, args)      the shell was called (callable shells only)
// Symbols and names the prototype chain has (then, toString, ...) never reach the dispatcher.
#pragma once

#include "js/lock.h"
#include "js/value.h"

namespace wisp::js {

// The constructor behind shells of one kind (callable or not). Made at run time, never in the
// snapshot; the caller keeps it (src/api/js/rpc/shell.js holds one of each per isolate).
Value shellClass(Lock& js, bool callable);

// A new shell from `shellClass`, with `prototype` and `dispatcher` (see above).
Value newShell(Lock& js, Value shellClass, Value prototype, Value dispatcher);

// Whether `object` is a shell (and which dispatcher it has).
bool isShell(v8::Local<v8::Object> object);

}  // namespace wisp::js
