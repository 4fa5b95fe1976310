// Conversions between JS values and C++ types, in one place, following Web IDL:
//   bool ↔ boolean, double ↔ unrestricted double, int32_t/uint32_t ↔ long/unsigned long,
//   std::string ↔ DOMString (UTF-8), std::optional<T> ↔ optional argument (undefined) or
//   nullable return (null), std::vector<T> ↔ sequence<T>, std::vector<uint8_t> → Uint8Array,
//   BufferSource ← ArrayBuffer | ArrayBufferView (AllowSharedBufferSource: also a
//   SharedArrayBuffer), Uint8ArrayRef ← Uint8Array (writable),
//   StringRef ← DOMString read in place, dictionaries ↔ any struct with
//   `static void fields(js::Fields<S>&)`, Ref<T> ↔ a wrapped object of class T,
//   v8 handles pass through unchanged (inside src/js only).
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

// Web IDL AllowSharedBufferSource: a BufferSource or a SharedArrayBuffer (whose bytes other
// threads may change while C++ reads them).
struct AllowSharedBufferSource {
  std::span<const uint8_t> bytes;
};

template <>
struct Conv<AllowSharedBufferSource> {
  static AllowSharedBufferSource fromJs(Lock& js, v8::Local<v8::Value> v, const char* what) {
    if (v->IsSharedArrayBuffer()) {
      auto store = v.As<v8::SharedArrayBuffer>()->GetBackingStore();
      return {{static_cast<const uint8_t*>(store->Data()), store->ByteLength()}};
    }
    return {Conv<BufferSource>::fromJs(js, v, what).bytes};
  }
};

// A fresh Uint8Array, from bytes C++ produced.
template <>
struct Conv<std::vector<uint8_t>> {
  static v8::Local<v8::Value> toJs(Lock& js, const std::vector<uint8_t>& bytes);
};

// A Uint8Array argument that C++ writes into during the call (Web IDL `Uint8Array`). A detached
// buffer gives an empty span.
struct Uint8ArrayRef {
  std::span<uint8_t> bytes;
};

template <>
struct Conv<Uint8ArrayRef> {
  static Uint8ArrayRef fromJs(Lock& js, v8::Local<v8::Value> v, const char* what);
};

// A new Uint8Array of `size` zeroed bytes for C++ to fill in place (no intermediate vector).
struct NewUint8Array {
  Value array;
  std::span<uint8_t> bytes;  // valid during the call
};
NewUint8Array newUint8Array(Lock& js, size_t size);

// A JS string (after Web IDL's ToString) that C++ reads in UTF-16 code units, piece by piece,
// without copying all of it first. Valid during the call.
class StringRef {
 public:
  StringRef(v8::Isolate* isolate, v8::Local<v8::String> s) : isolate_(isolate), s_(s) {}
  size_t length() const { return static_cast<size_t>(s_->Length()); }
  // Copies the code units [start, start + out.size()) into `out`.
  void read(size_t start, std::span<char16_t> out) const;

 private:
  v8::Isolate* isolate_;
  v8::Local<v8::String> s_;
};

template <>
struct Conv<StringRef> {
  static StringRef fromJs(Lock& js, v8::Local<v8::Value> v, const char*) {
    return StringRef(js.isolate(), js.check(v->ToString(js.context())));
  }
};

// JS strings from text C++ already holds, in the form it has it: UTF-16 code units, Latin-1
// bytes (one code unit per byte), or UTF-8. Past V8's length limit they throw RangeError.
Value newString(Lock& js, std::u16string_view text);
Value newLatin1String(Lock& js, std::span<const uint8_t> text);
Value newUtf8String(Lock& js, std::span<const uint8_t> text);

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

// Dictionaries: a struct lists its members once; the same list reads a JS object into the
// struct (an argument) and writes the struct out as a new JS object (a return value).
//   struct Options { bool fatal = false; static void fields(js::Fields<Options>& f) {
//     f("fatal", &Options::fatal); } };
template <class S>
class Fields {
 public:
  Fields(Lock& js, v8::Local<v8::Object> from, S& into, const char* what)
      : js_(js), obj_(from), into_(&into), what_(what) {}
  Fields(Lock& js, const S& from, v8::Local<v8::Object> into)
      : js_(js), obj_(into), from_(&from) {}
  template <class M>
  void operator()(const char* key, M S::*member) {
    if (from_) {
      if constexpr (requires { Conv<M>::toJs(js_, from_->*member); })
        js_.set(obj_, key, Conv<M>::toJs(js_, from_->*member));
      return;
    }
    auto v = js_.get(obj_, key);
    if (v->IsUndefined()) return;
    into_->*member = Conv<M>::fromJs(js_, v, what_);
  }

 private:
  Lock& js_;
  v8::Local<v8::Object> obj_;
  S* into_ = nullptr;
  const S* from_ = nullptr;
  const char* what_ = nullptr;
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
  static v8::Local<v8::Value> toJs(Lock& js, const S& value) {
    auto obj = v8::Object::New(js.isolate());
    Fields<S> f(js, value, obj);
    S::fields(f);
    return obj;
  }
};

}  // namespace wisp::js
