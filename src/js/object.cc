#include "js/object.h"

#include "js/class.h"
#include "js/isolate.h"

namespace wisp::js {

Object::~Object() = default;

void Object::addRef() {
  ++refs_;
  // Someone in C++ holds us now: keep the wrapper (and its JS-side state) alive.
  if (hasWrapper_ && refs_ == 2) wrapper_.ClearWeak();
}

void Object::release() {
  if (--refs_ == 0) {
    delete this;
    return;
  }
  // Only the wrapper is left: let the garbage collector decide.
  if (hasWrapper_ && refs_ == 1) Wrapping::makeWeak(this);
}

v8::Local<v8::Object> Object::jsObject(Lock& js) {
  if (hasWrapper_) return wrapper_.Get(js.isolate());
  return Wrapping::wrap(js, this);
}

}  // namespace wisp::js
