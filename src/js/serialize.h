// structuredClone through V8's ValueSerializer (the HTML structured serialize/deserialize).
#pragma once

#include "js/lock.h"
#include "js/value.h"

namespace wisp::js {

// https://html.spec.whatwg.org/multipage/structured-data.html#dom-structuredclone
// `options` is undefined or the options object `{transfer: [...]}`. Throws DataCloneError.
Value structuredClone(Lock& js, Value value, Value options);

}  // namespace wisp::js
