// For ValueSerializer/Deserializer delegate callbacks, which run inside V8: C++ exceptions must
// not cross them. Turns a JsError into a pending JS exception and reports failure the V8 way.
#pragma once

#include "js/error.h"
#include "js/lock.h"

namespace wisp::js {

template <class F>
bool containErrors(Lock& js, F&& body) {
  try {
    body();
    return true;
  } catch (const JsError& e) {
    js.throwError(e);
  } catch (const Pending&) {
  }
  return false;
}

}  // namespace wisp::js
