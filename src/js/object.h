// js::Object is the base of every C++ class exposed to JavaScript; js::Ref<T> is a strong
// reference to one.
//
// Ownership: an object is reference counted. Its JS wrapper (created on first use from JS)
// holds one reference and releases it in a weak callback when V8 collects the wrapper. While
// C++ holds other references, the wrapper is kept strong, so JS-visible identity and any
// properties JS added survive a round trip through C++. Objects belong to one isolate and are
// only touched under its lock, so the count is not atomic.
#pragma once

#include <cstdint>
#include <utility>

#include "js/v8.h"

namespace wisp::js {

class Lock;
struct ClassInfo;
template <class T>
class Ref;

class Object {
 public:
  Object() = default;
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  virtual ~Object();

  // The JS object for this C++ object, created on first request.
  v8::Local<v8::Object> jsObject(Lock& js);

 private:
  template <class T>
  friend class Ref;
  friend struct Wrapping;

  void addRef();
  void release();
  void onWrapperCollected();

  uint32_t refs_ = 0;      // C++ references plus one for a live wrapper
  bool hasWrapper_ = false;
  v8::Isolate* isolate_ = nullptr;
  v8::Global<v8::Object> wrapper_;
  const ClassInfo* class_ = nullptr;
};

template <class T>
class Ref {
 public:
  Ref() = default;
  explicit Ref(T* p) : p_(p) {
    if (p_) static_cast<Object*>(p_)->addRef();
  }
  Ref(const Ref& o) : Ref(o.p_) {}
  Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  template <class U>
  Ref(const Ref<U>& o) : Ref(static_cast<T*>(o.get())) {}
  Ref& operator=(Ref o) {
    std::swap(p_, o.p_);
    return *this;
  }
  ~Ref() {
    if (p_) static_cast<Object*>(p_)->release();
  }
  T* get() const { return p_; }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

}  // namespace wisp::js
