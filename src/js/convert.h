// Conversions between JS values and C++ types, in one place, following Web IDL:
//   bool ↔ boolean, double ↔ unrestricted double, int32_t/uint32_t ↔ long/unsigned long,
//   std::string ↔ DOMString (UTF-8), std::optional<T> ↔ optional argument (undefined) or
//   nullable return (null), std::vector<T> ↔ sequence<T>, std::vector<uint8_t> → Uint8Array,
//   BufferSource ← ArrayBuffer | ArrayBufferView, dictionaries ← any struct with
//   `static void fields(js::Fields<S>&)`, Ref<T> ↔ a wrapped object of class T,
//   v8 handles pass through unchanged (inside src/js only).
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "js/error.h"
#include "js/lock.h"
#include "js/object.h"
#include "js/value.h"

namespace wisp::js {

template <class T, class = void>
struct Conv;  // static T fromJs(Lock&, v8::Local<v8::Value>, const char* what);
              // static v8::Local<v8::Value> toJs(Lock&, const T&);

template <>
struct Conv<bool> {
  static bool fromJs(Lock& js, v8::Local<v8::Value> v, const char*) { return v->BooleanValue(js.isolate()); }
  static v8::Local<v8::Value> toJs(Lock& js, bool b) { return v8::Boolean::New(js.isolate(), b); }
};

template <>
struct Conv<double> {
  static double fromJs(Lock& js, v8::Local<v8::Value> v, const char*) {
    return js.check(v->NumberValue(js.context()));
  }
  static v8::Local<v8::Value> toJs(Lock& js, double d) { return v8::Number::New(js.isolate(), d); }
};

template <>
struct Conv<int32_t> {
  static int32_t fromJs(Lock& js, v8::Local<v8::Value> v, const char*) {
    return js.check(v->Int32Value(js.context()));
  }
  static v8::Local<v8::Value> toJs(Lock& js, int32_t i) { return v8::Integer::New(js.isolate(), i); }
};

template <>
struct Conv<uint32_t> {
  static uint32_t fromJs(Lock& js, v8::Local<v8::Value> v, const char*) {
    return js.check(v->Uint32Value(js.context()));
  }
  static v8::Local<v8::Value> toJs(Lock& js, uint32_t i) {
    return v8::Integer::NewFromUnsigned(js.isolate(), i);
  }
};

template <>
struct Conv<uint64_t> {  // [EnforceRange] unsigned long long, as used for sizes
  static uint64_t fromJs(Lock& js, v8::Local<v8::Value> v, const char* what) {
    double d = js.check(v->NumberValue(js.context()));
    if (!std::isfinite(d) || d < 0 || d > 9007199254740991.0)
      throw TypeError(std::string(what) + " is outside the accepted range.");
    return static_cast<uint64_t>(d);
  }
  static v8::Local<v8::Value> toJs(Lock& js, uint64_t i) {
    return v8::Number::New(js.isolate(), static_cast<double>(i));
  }
};

template <>
struct Conv<std::string> {
  static std::string fromJs(Lock& js, v8::Local<v8::Value> v, const char*) { return js.toString(v); }
  static v8::Local<v8::Value> toJs(Lock& js, const std::string& s) { return js.str(s); }
};

template <>
struct Conv<std::string_view> {
  static v8::Local<v8::Value> toJs(Lock& js, std::string_view s) { return js.str(s); }
};

template <class T>
struct Conv<v8::Local<T>> {
  static v8::Local<T> fromJs(Lock& js, v8::Local<v8::Value> v, const char* what) {
    if constexpr (std::is_same_v<T, v8::Value>) {
      return v;
    } else if constexpr (std::is_same_v<T, v8::Function>) {
      if (!v->IsFunction()) throw TypeError(std::string(what) + " is not a function.");
      return v.As<v8::Function>();
    } else if constexpr (std::is_same_v<T, v8::Object>) {
      if (!v->IsObject()) throw TypeError(std::string(what) + " is not an object.");
      return v.As<v8::Object>();
    } else {
      static_assert(sizeof(T) == 0, "no conversion for this handle type");
    }
  }
  static v8::Local<v8::Value> toJs(Lock&, v8::Local<T> v) { return v; }
};

template <>
struct Conv<Value> {
  static Value fromJs(Lock&, v8::Local<v8::Value> v, const char*) { return Value(v); }
  static v8::Local<v8::Value> toJs(Lock&, const Value& v) { return v.local(); }
};

template <class T>
struct Conv<std::optional<T>> {
  static std::optional<T> fromJs(Lock& js, v8::Local<v8::Value> v, const char* what) {
    if (v->IsUndefined()) return std::nullopt;
    return Conv<T>::fromJs(js, v, what);
  }
  static v8::Local<v8::Value> toJs(Lock& js, const std::optional<T>& v) {
    if (!v) return v8::Null(js.isolate());
    return Conv<T>::toJs(js, *v);
  }
};

// Bytes viewed from an ArrayBuffer or ArrayBufferView argument; valid during the call only.
struct BufferSource {
  std::span<const uint8_t> bytes;
};

template <>
struct Conv<BufferSource> {
  static BufferSource fromJs(Lock&, v8::Local<v8::Value> v, const char* what) {
    if (v->IsArrayBufferView()) {
      auto view = v.As<v8::ArrayBufferView>();
      auto store = view->Buffer()->GetBackingStore();
      auto* base = static_cast<const uint8_t*>(store->Data());
      return {{base ? base + view->ByteOffset() : nullptr, view->ByteLength()}};
    }
    if (v->IsArrayBuffer()) {
      auto store = v.As<v8::ArrayBuffer>()->GetBackingStore();
      return {{static_cast<const uint8_t*>(store->Data()), store->ByteLength()}};
    }
    if (v->IsSharedArrayBuffer()) {
      throw TypeError(std::string(what) + " must not be a SharedArrayBuffer.");
    }
    throw TypeError(std::string(what) + " is not of type '(ArrayBuffer or ArrayBufferView)'.");
  }
};

// A fresh Uint8Array, from bytes C++ produced.
template <>
struct Conv<std::vector<uint8_t>> {
  static v8::Local<v8::Value> toJs(Lock& js, const std::vector<uint8_t>& bytes);
};

template <class T>
struct Conv<std::vector<T>, std::enable_if_t<!std::is_same_v<T, uint8_t>>> {
  static std::vector<T> fromJs(Lock& js, v8::Local<v8::Value> v, const char* what) {
    if (!v->IsArray()) throw TypeError(std::string(what) + " is not a sequence.");
    auto arr = v.As<v8::Array>();
    std::vector<T> out;
    out.reserve(arr->Length());
    for (uint32_t i = 0; i < arr->Length(); i++)
      out.push_back(Conv<T>::fromJs(js, js.check(arr->Get(js.context(), i)), what));
    return out;
  }
  static v8::Local<v8::Value> toJs(Lock& js, const std::vector<T>& items) {
    auto arr = v8::Array::New(js.isolate(), static_cast<int>(items.size()));
    for (uint32_t i = 0; i < items.size(); i++)
      js.check(arr->Set(js.context(), i, Conv<T>::toJs(js, items[i])));
    return arr;
  }
};

// Dictionaries: a struct lists its members once.
//   struct Options { bool fatal = false; static void fields(js::Fields<Options>& f) {
//     f("fatal", &Options::fatal); } };
template <class S>
class Fields {
 public:
  Fields(Lock& js, v8::Local<v8::Object> from, S& into, const char* what)
      : js_(js), from_(from), into_(&into), what_(what) {}
  template <class M>
  void operator()(const char* key, M S::*member) {
    auto v = js_.get(from_, key);
    if (v->IsUndefined()) return;
    into_->*member = Conv<M>::fromJs(js_, v, what_);
  }

 private:
  Lock& js_;
  v8::Local<v8::Object> from_;
  S* into_;
  const char* what_;
};

template <class S>
struct Conv<S, std::void_t<decltype(&S::fields)>> {
  static S fromJs(Lock& js, v8::Local<v8::Value> v, const char* what) {
    S out{};
    if (v->IsNullOrUndefined()) return out;
    if (!v->IsObject()) throw TypeError(std::string(what) + " is not an object.");
    Fields<S> f(js, v.As<v8::Object>(), out, what);
    S::fields(f);
    return out;
  }
};

}  // namespace wisp::js
