// A Failure of another Worker (it could not run the call), as the error the caller's promise
// rejects with: the same class for the standard ones, the same message.
#pragma once

#include "io/request-context.h"
#include "js/error.h"

namespace wisp::io {

inline js::JsError toJsError(const Failure& f) {
  if (f.kind == Failure::Kind::Exception) {
    if (f.name == "TypeError") return js::TypeError(f.message);
    if (f.name == "RangeError") return js::RangeError(f.message);
    if (f.name == "SyntaxError") return js::SyntaxError(f.message);
  }
  return js::Error(f.message);
}

}  // namespace wisp::io
