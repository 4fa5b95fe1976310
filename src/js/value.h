// js::Value: any JavaScript value, held only for the duration of a call (a handle, not a
// reference). API code uses it where a spec says `any`; js::Global keeps one longer.
#pragma once

#include "js/v8.h"

namespace wisp::js {

class Value {
 public:
  Value() = default;
  explicit Value(v8::Local<v8::Value> v) : v_(v) {}
  v8::Local<v8::Value> local() const { return v_; }
  bool isUndefined() const { return v_.IsEmpty() || v_->IsUndefined(); }
  bool isNull() const { return !v_.IsEmpty() && v_->IsNull(); }
  bool isString() const { return !v_.IsEmpty() && v_->IsString(); }
  bool isObject() const { return !v_.IsEmpty() && v_->IsObject(); }
  bool isFunction() const { return !v_.IsEmpty() && v_->IsFunction(); }

 private:
  v8::Local<v8::Value> v_;
};

// Keeps a JS value alive beyond the current call (for example a callback a timer will run).
template <class T = v8::Value>
using Global = v8::Global<T>;

}  // namespace wisp::js
