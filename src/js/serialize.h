// structuredClone through V8's ValueSerializer (the HTML structured serialize/deserialize).
#pragma once

#include "js/lock.h"

namespace wisp::js {

// https://html.spec.whatwg.org/multipage/structured-data.html#dom-structuredclone
// `transfer` is undefined or the options object `{transfer: [...]}`. Throws DataCloneError.
v8::Local<v8::Value> structuredClone(Lock& js, v8::Local<v8::Value> value, v8::Local<v8::Value> options);

}  // namespace wisp::js
