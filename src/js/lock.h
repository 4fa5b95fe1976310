// js::Lock is the handle through which C++ touches the JS heap: "this may run JS" shows in
// every signature that takes one. A Lock names an isolate and its current context; it does
// not itself open scopes (js::Enter does, once, at the edge; callbacks build a Lock from the
// isolate V8 is already in).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <vector>

#include "js/error.h"
#include "js/v8.h"
#include "js/value.h"

namespace wisp::js {

class IsolateData;

class Lock {
 public:
  Lock(v8::Isolate* isolate, v8::Local<v8::Context> context) : isolate_(isolate), context_(context) {}
  // For a callback from V8: the isolate and context V8 is running.
  static Lock current(v8::Isolate* isolate) { return Lock(isolate, isolate->GetCurrentContext()); }

  v8::Isolate* isolate() const { return isolate_; }
  v8::Local<v8::Context> context() const { return context_; }
  IsolateData& data() const;

  // Unwraps a V8 result; an empty one means a JS exception is pending: unwind with Pending.
  template <class T>
  v8::Local<T> check(v8::MaybeLocal<T> maybe) const {
    v8::Local<T> out;
    if (!maybe.ToLocal(&out)) throw Pending{};
    return out;
  }
  template <class T>
  T check(v8::Maybe<T> maybe) const {
    T out;
    if (!maybe.To(&out)) throw Pending{};
    return out;
  }

  v8::Local<v8::String> str(std::string_view s) const;
  // Interned string, for property names.
  v8::Local<v8::String> name(std::string_view s) const;
  std::string toString(v8::Local<v8::Value> v) const;  // JS ToString, then UTF-8

  v8::Local<v8::Value> get(v8::Local<v8::Object> o, std::string_view key) const;
  void set(v8::Local<v8::Object> o, std::string_view key, v8::Local<v8::Value> v) const;

  // Plain-data access for code outside src/js (io/, server/), which never sees V8 handles.
  Value undefined() const;
  Value string(std::string_view s) const { return Value(str(s)); }
  Value number(double d) const { return Value(v8::Number::New(isolate_, d)); }
  Value boolean(bool b) const { return Value(v8::Boolean::New(isolate_, b)); }
  Value bytes(std::string_view data) const;                 // a new Uint8Array
  Value array(const std::vector<Value>& items) const;
  Value parseJson(std::string_view json) const;             // throws SyntaxError
  std::string toJson(Value v) const;
  // JSON.stringify without letting an exception escape: nullopt for values JSON cannot hold at
  // top level (undefined, functions); on a throw (cycles, BigInt) nullopt and `error` is set.
  std::optional<std::string> tryToJson(Value v, std::string& error) const;
  Value property(Value object, std::string_view key) const; // undefined for non-objects
  std::string toString(Value v) const { return toString(v.local()); }
  std::string toBytes(Value v) const;                       // ArrayBuffer(View) contents
  // The bytes an ArrayBufferView covers, writable in place; empty for other values.
  std::span<uint8_t> viewBytes(Value v) const;
  double toNumber(Value v) const;
  Value ownNonIndexKeys(Value object) const;                 // strings and symbols, no indices
  size_t arrayLength(Value v) const;                        // 0 for non-arrays
  Value arrayItem(Value v, uint32_t index) const;
  Value call(Value function, const std::vector<Value>& args) const;  // throws TypeError if not callable
  // The exception-shaped description of any thrown value (for promise rejections).
  JsException describe(Value exception) const;

  // Makes the JS exception for a C++ JsError (a real Error / DOMException object).
  v8::Local<v8::Value> makeError(const JsError& e) const;
  Value error(const JsError& e) const { return Value(makeError(e)); }
  // Throws `e` into JS (the caller then returns to V8).
  void throwError(const JsError& e) const;

  // Turns the exception held by a TryCatch into plain data.
  JsException toException(v8::TryCatch& tc) const;
  JsException toException(v8::Local<v8::Value> exception, v8::Local<v8::Message> message) const;

 private:
  v8::Isolate* isolate_;
  v8::Local<v8::Context> context_;
};

// Enters an isolate and one of its contexts: Locker, isolate scope, handle scope, context scope.
// The only place that opens these scopes; io::Worker uses it around every entry into JS.
class Enter {
 public:
  Enter(v8::Isolate* isolate, const v8::Global<v8::Context>& context)
      : locker_(isolate), isolateScope_(isolate), handles_(isolate),
        context_(context.Get(isolate)), contextScope_(context_), lock_(isolate, context_) {}
  Lock& lock() { return lock_; }

 private:
  v8::Locker locker_;
  v8::Isolate::Scope isolateScope_;
  v8::HandleScope handles_;
  v8::Local<v8::Context> context_;
  v8::Context::Scope contextScope_;
  Lock lock_;
};

}  // namespace wisp::js
