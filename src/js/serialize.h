// structuredClone through V8's ValueSerializer (the HTML structured serialize/deserialize).
//
// V8 10.2 writes an ordinary JS object as its own enumerable properties, and hands only host
// objects (API objects with internal fields) to the embedder's delegate. Two consequences for
// platform objects implemented in JavaScript (src/api/js/):
//
//  - Most of them (URL, Headers, Request, Event, ...) are ordinary objects to V8 and would clone
//    as `{}`. HTML says they throw DataCloneError. So before V8 writes the value, a walk over it
//    (the parts V8 will read, without running user code) looks for an ordinary object whose
//    prototype chain holds an interface prototype: `hooks.isInterfacePrototype(proto)`.
//  - Serialisable ones (DOMException; Blob, File, CryptoKey) are built as host objects, instances
//    of PlatformObject (newPlatformObject), so that V8 hands them to the delegate, which asks JS
//    for their data (`hooks.serialize`) and rebuilds them from it (`hooks.deserialize`).
//
// The JS side of both, and how an interface becomes serialisable, is in
// src/api/js/structured-clone.js.
#pragma once

#include "js/class.h"
#include "js/lock.h"
#include "js/value.h"

namespace wisp::js {

// The host object behind a serialisable platform object implemented in JS: stateless (no C++
// object), never exposed. Registered with the other classes (src/api/global-scope.cc).
class PlatformObject : public Object {
 public:
  static void define(ClassBuilder<PlatformObject>&) {}
};

// A new PlatformObject whose [[Prototype]] is `prototype` (a constructor's new.target.prototype).
Value newPlatformObject(Lock& js, Value prototype);

// https://html.spec.whatwg.org/multipage/structured-data.html#dom-structuredclone
//   transfer  an Array (Web IDL conversion done by the caller)
//   hooks     {isInterfacePrototype(proto) -> bool, serialize(object) -> data,
//              deserialize(data) -> object}   (src/api/js/structured-clone.js)
// Throws DataCloneError (a DOMException) for what cannot be cloned or transferred.
Value structuredClone(Lock& js, Value value, Value transfer, Value hooks);

}  // namespace wisp::js
