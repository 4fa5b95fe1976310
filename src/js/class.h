// Declaring JS classes from C++ classes. A class derives from js::Object and says once what
// JS sees:
//
//   class TextEncoder : public js::Object {
//    public:
//     static js::Ref<TextEncoder> constructor();
//     std::vector<uint8_t> encode(js::Lock&, std::optional<std::string> input);
//     std::string encoding() const;
//     static void define(js::ClassBuilder<TextEncoder>& c) {
//       c.constructor<&TextEncoder::constructor>();
//       c.method<&TextEncoder::encode>("encode");
//       c.getter<&TextEncoder::encoding>("encoding");
//     }
//   };
//
// Every callback goes through one trampoline (invoke): it checks the receiver's type tag
// (so Reflect.apply with a foreign `this` gives "Illegal invocation", never type confusion),
// converts arguments with Conv<T>, calls, converts the result, and turns a thrown js::JsError
// into the JS exception. A js::Pending means V8 already has one pending; nothing else is thrown
// across V8 frames.
#pragma once

#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "js/convert.h"
#include "js/error.h"
#include "js/lock.h"
#include "js/object.h"
#include "js/v8.h"
#include "js/value.h"

namespace wisp::js {

// Internal fields of every wrapper: [0] the class id as a Smi (survives snapshots), [1] the
// C++ object (null for stateless objects such as the snapshotted `console` instance).
constexpr int kClassIdField = 0;
constexpr int kObjectField = 1;
constexpr int kInternalFieldCount = 2;

class ClassBuilderBase;

struct ClassInfo {
  const char* name = nullptr;
  int id = -1;                      // index in the Registry, assigned at registration
  const ClassInfo* parent = nullptr;
  void (*define)(ClassBuilderBase&) = nullptr;
};

template <class T>
ClassInfo& classInfo() {
  static ClassInfo info;
  return info;
}

// The list of exposed classes, in a fixed order (the order is part of the snapshot format).
class Registry {
 public:
  template <class T>
  void add(const char* name);
  const std::vector<ClassInfo*>& classes() const { return classes_; }
  const ClassInfo* byId(int id) const {
    return id >= 0 && id < static_cast<int>(classes_.size()) ? classes_[id] : nullptr;
  }
  // Every C++ function V8 may call, for the snapshot's external reference table.
  const std::vector<intptr_t>& externalReferences();

  static Registry& get();

 private:
  std::vector<ClassInfo*> classes_;
  std::vector<intptr_t> refs_;
};

// Wrapping and unwrapping, shared by the trampolines.
struct Wrapping {
  static void attach(Lock& js, Object* obj, v8::Local<v8::Object> wrapper);
  static Object* unwrap(Lock& js, v8::Local<v8::Value> v, const ClassInfo& want);
  static v8::Local<v8::Object> wrap(Lock& js, Object* obj);
  static void track(Object* obj, const ClassInfo& cls) { obj->class_ = &cls; }
  static void makeWeak(Object* obj);
  // At isolate disposal: drop the wrapper's reference without asking V8.
  static void detachForDisposal(Object* obj);
};

template <class T>
Ref<T> unwrapRef(Lock& js, v8::Local<v8::Value> v, const char* what) {
  auto* o = static_cast<T*>(Wrapping::unwrap(js, v, classInfo<T>()));
  if (!o) throw TypeError(std::string(what) + " is not of type '" + classInfo<T>().name + "'.");
  return Ref<T>(o);
}

template <class T>
struct Conv<Ref<T>> {
  static Ref<T> fromJs(Lock& js, v8::Local<v8::Value> v, const char* what) {
    return unwrapRef<T>(js, v, what);
  }
  static v8::Local<v8::Value> toJs(Lock& js, const Ref<T>& r) {
    if (!r) return v8::Null(js.isolate());
    return r->jsObject(js);
  }
};

namespace detail {

template <class F>
struct Sig;
template <class R, class... A>
struct Sig<R (*)(A...)> {
  using Ret = R;
  using Args = std::tuple<A...>;
  using Self = void;
};
template <class R, class C, class... A>
struct Sig<R (C::*)(A...)> {
  using Ret = R;
  using Args = std::tuple<A...>;
  using Self = C;
};
template <class R, class C, class... A>
struct Sig<R (C::*)(A...) const> : Sig<R (C::*)(A...)> {};

template <class T>
constexpr bool isLock = std::is_same_v<std::decay_t<T>, Lock>;
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

// How many JS arguments a C++ signature takes, and how many are required (Function.length).
template <class Tuple>
struct Arity;
template <class... A>
struct Arity<std::tuple<A...>> {
  static constexpr int total = ((isLock<A> ? 0 : 1) + ... + 0);
  static constexpr int required() {
    int n = 0, i = 0;
    ((isLock<A> ? 0 : (i++, IsOptional<std::decay_t<A>>::value ? 0 : (n = i))), ...);
    return n;
  }
};

template <class Tuple, size_t I>
decltype(auto) argAt(Lock& js, const v8::FunctionCallbackInfo<v8::Value>& info, int& jsIndex,
                     const char* what) {
  using A = std::decay_t<std::tuple_element_t<I, Tuple>>;
  if constexpr (isLock<A>) {
    return (js);
  } else {
    int i = jsIndex++;
    return Conv<A>::fromJs(js, info[i], what);
  }
}

// Builds the argument tuple strictly left to right (braced init guarantees the order).
template <class Tuple, size_t... I>
auto convertArgs(Lock& js, const v8::FunctionCallbackInfo<v8::Value>& info, [[maybe_unused]] const char* what,
                 std::index_sequence<I...>) {
  [[maybe_unused]] int jsIndex = 0;
  using Out = std::tuple<std::conditional_t<isLock<std::tuple_element_t<I, Tuple>>, Lock&,
                                            std::decay_t<std::tuple_element_t<I, Tuple>>>...>;
  return Out{argAt<Tuple, I>(js, info, jsIndex, what)...};
}

template <class R>
void setReturn(Lock& js, const v8::FunctionCallbackInfo<v8::Value>& info, R&& r) {
  using D = std::decay_t<R>;
  info.GetReturnValue().Set(Conv<D>::toJs(js, std::forward<R>(r)));
}

// Runs `body`, converting C++ errors into JS exceptions. The single catch site.
template <class F>
void guarded(const v8::FunctionCallbackInfo<v8::Value>& info, F&& body) {
  Lock js = Lock::current(info.GetIsolate());
  try {
    body(js);
  } catch (const JsError& e) {
    js.throwError(e);
  } catch (const Pending&) {
    // the exception (or termination) is already pending in V8
  } catch (const std::bad_alloc&) {
    js.throwError(RangeError("Out of memory."));
  } catch (const std::exception& e) {
    js.throwError(Error(std::string("Internal error: ") + e.what()));
  }
}

template <auto Fn, class T>
void call(Lock& js, const v8::FunctionCallbackInfo<v8::Value>& info, T* self, const char* what) {
  using S = Sig<decltype(Fn)>;
  using Args = typename S::Args;
  auto args = convertArgs<Args>(js, info, what, std::make_index_sequence<std::tuple_size_v<Args>>{});
  if constexpr (std::is_void_v<typename S::Self>) {
    if constexpr (std::is_void_v<typename S::Ret>) {
      std::apply(Fn, std::move(args));
    } else {
      setReturn(js, info, std::apply(Fn, std::move(args)));
    }
  } else {
    auto bound = [&](auto&&... a) -> decltype(auto) { return (self->*Fn)(std::forward<decltype(a)>(a)...); };
    if constexpr (std::is_void_v<typename S::Ret>) {
      std::apply(bound, std::move(args));
    } else {
      setReturn(js, info, std::apply(bound, std::move(args)));
    }
  }
}

// "Failed to execute 'm' on 'C': argument", for conversion errors. Reuses a per-thread buffer
// so the common, error-free call does not allocate.
const std::string& describe(const v8::FunctionCallbackInfo<v8::Value>& info, const char* cls);
// "Failed to execute 'm' on 'C': 2 arguments required, but only 1 present." (Web IDL)
[[noreturn]] void throwArgumentCount(const v8::FunctionCallbackInfo<v8::Value>& info, const char* cls, int required);

}  // namespace detail

class ClassBuilderBase {
 public:
  // Collecting mode: only records callback addresses (for the snapshot's reference table).
  explicit ClassBuilderBase(std::vector<intptr_t>* refs) : refs_(refs) {}
  // Building mode: fills a FunctionTemplate.
  ClassBuilderBase(v8::Isolate* isolate, v8::Local<v8::FunctionTemplate> tmpl, ClassInfo& info)
      : isolate_(isolate), tmpl_(tmpl), info_(&info) {}

 protected:
  bool collecting() const { return refs_ != nullptr; }
  void record(v8::FunctionCallback cb) { refs_->push_back(reinterpret_cast<intptr_t>(cb)); }
  v8::Local<v8::FunctionTemplate> fn(v8::FunctionCallback cb, int length, bool withSignature,
                                     const char* name);
  void addMethod(const char* name, v8::FunctionCallback cb, int length, bool withSignature);
  void addStatic(const char* name, v8::FunctionCallback cb, int length);
  void addAccessor(const char* name, v8::FunctionCallback get, v8::FunctionCallback set);
  void addConstant(const char* name, double value);
  void setConstructor(v8::FunctionCallback cb, int length);
  void setParent(const ClassInfo& parent);

 public:
  // After define(): classes without a constructor throw "Illegal constructor" on `new`.
  void finish();
  // Callbacks every class uses, for the reference table.
  void recordCommon();

 protected:
  bool hasConstructor_ = false;
  std::vector<intptr_t>* refs_ = nullptr;
  v8::Isolate* isolate_ = nullptr;
  v8::Local<v8::FunctionTemplate> tmpl_;
  ClassInfo* info_ = nullptr;
};

template <class T>
class ClassBuilder : public ClassBuilderBase {
 public:
  using ClassBuilderBase::ClassBuilderBase;

  // `static Ref<T> fn([Lock&,] args...)`; without one, `new T()` throws "Illegal constructor".
  template <auto Fn>
  void constructor() {
    using S = detail::Sig<decltype(Fn)>;
    if (collecting()) return record(&ctorCallback<Fn>);
    setConstructor(&ctorCallback<Fn>, detail::Arity<typename S::Args>::required());
  }

  // A member function on the prototype (receiver checked), or a static function exposed as a
  // prototype method that ignores its receiver (for console.log and friends, which must work
  // detached: `const {log} = console`).
  template <auto Fn>
  void method(const char* name) {
    using S = detail::Sig<decltype(Fn)>;
    if (collecting()) return record(&methodCallback<Fn>);
    addMethod(name, &methodCallback<Fn>, detail::Arity<typename S::Args>::required(),
              !std::is_void_v<typename S::Self>);
  }

  // A function on the constructor (`URL.canParse`).
  template <auto Fn>
  void staticMethod(const char* name) {
    using S = detail::Sig<decltype(Fn)>;
    if (collecting()) return record(&methodCallback<Fn>);
    addStatic(name, &methodCallback<Fn>, detail::Arity<typename S::Args>::required());
  }

  template <auto Get>
  void getter(const char* name) {
    if (collecting()) return record(&methodCallback<Get>);
    addAccessor(name, &methodCallback<Get>, nullptr);
  }

  template <auto Get, auto Set>
  void accessor(const char* name) {
    if (collecting()) {
      record(&methodCallback<Get>);
      return record(&methodCallback<Set>);
    }
    addAccessor(name, &methodCallback<Get>, &methodCallback<Set>);
  }

  void constant(const char* name, double value) {
    if (!collecting()) addConstant(name, value);
  }

  template <class Parent>
  void inherit() {
    static_assert(std::is_base_of_v<Parent, T>);
    classInfo<T>().parent = &classInfo<Parent>();
    if (!collecting()) setParent(classInfo<Parent>());
  }

 private:
  template <auto Fn>
  static void methodCallback(const v8::FunctionCallbackInfo<v8::Value>& info) {
    detail::guarded(info, [&](Lock& js) {
      using Self = typename detail::Sig<decltype(Fn)>::Self;
      const std::string& what = detail::describe(info, classInfo<T>().name);
      constexpr int required = detail::Arity<typename detail::Sig<decltype(Fn)>::Args>::required();
      if (info.Length() < required) detail::throwArgumentCount(info, classInfo<T>().name, required);
      if constexpr (std::is_void_v<Self>) {
        detail::call<Fn, T>(js, info, nullptr, what.c_str());
      } else {
        auto* self = static_cast<T*>(Wrapping::unwrap(js, info.This(), classInfo<T>()));
        if (!self) throw TypeError("Illegal invocation");
        detail::call<Fn, T>(js, info, self, what.c_str());
      }
    });
  }

  template <auto Fn>
  static void ctorCallback(const v8::FunctionCallbackInfo<v8::Value>& info) {
    detail::guarded(info, [&](Lock& js) {
      if (!info.IsConstructCall()) {
        throw TypeError(std::string("Failed to construct '") + classInfo<T>().name +
                        "': Please use the 'new' operator, this object constructor cannot be "
                        "called as a function.");
      }
      constexpr int required = detail::Arity<typename detail::Sig<decltype(Fn)>::Args>::required();
      if (info.Length() < required) detail::throwArgumentCount(info, classInfo<T>().name, required);
      auto what = std::string("Failed to construct '") + classInfo<T>().name + "'";
      using Args = typename detail::Sig<decltype(Fn)>::Args;
      auto args = detail::convertArgs<Args>(js, info, what.c_str(),
                                            std::make_index_sequence<std::tuple_size_v<Args>>{});
      Ref<T> obj = std::apply(Fn, std::move(args));
      Wrapping::attach(js, obj.get(), info.This());
    });
  }
};

template <class T>
void Registry::add(const char* name) {
  ClassInfo& info = classInfo<T>();
  info.name = name;
  info.id = static_cast<int>(classes_.size());
  info.define = [](ClassBuilderBase& b) { T::define(static_cast<ClassBuilder<T>&>(b)); };
  classes_.push_back(&info);
}

// Snapshot time: globalThis[cls.name] = the class's constructor (non-enumerable, as Web IDL).
void exposeClass(Lock& js, const ClassInfo& cls);
// Snapshot time: a stateless instance of `cls`, for objects such as the native ops.
Value makeStatelessInstance(Lock& js, const ClassInfo& cls);

// Allocates a wrapped object of class T (registered) and returns a strong reference.
template <class T, class... Args>
Ref<T> make(Args&&... args) {
  Ref<T> r(new T(std::forward<Args>(args)...));  // the one allocation site for wrapped objects
  Wrapping::track(r.get(), classInfo<T>());
  return r;
}

}  // namespace wisp::js
