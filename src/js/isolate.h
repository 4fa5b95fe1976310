// js::Isolate: one V8 isolate with its single context, created from wisp's startup snapshot,
// with its resource accounting (heap limit, ArrayBuffer bytes) and an owner-visible
// termination reason. The io layer builds Workers on top of it and never sees V8 types.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "js/error.h"
#include "js/lock.h"
#include "js/v8.h"

namespace wisp::js {

class Object;
struct ClassInfo;
class CountingAllocator;

// Why execution was stopped from outside. The first reason set wins.
enum class TerminationReason : int { None = 0, CpuTime, WallTime, HeapLimit, Shutdown };
const char* terminationMessage(TerminationReason r);

struct IsolateOptions {
  size_t heapLimitBytes = 128u << 20;  // V8 heap plus ArrayBuffer backing stores
  // Without the startup snapshot: a bare context, populated by `install` (binding-layer tests,
  // which register their own classes).
  bool fromSnapshot = true;
  std::function<void(Lock&)> install;
  bool allowCodeGeneration = false;    // eval() and new Function(), off as in Workers
};

// Per-isolate state that the binding layer needs: the class templates and the wrapped objects
// still owned by JS. Lives in the isolate's data slot 0.
// Native state owned by a JS object and normally freed in a weak callback. V8 runs no weak
// callbacks when an isolate is disposed, so the isolate frees what is left.
class Finalizable {
 public:
  virtual ~Finalizable() = default;
};

class IsolateData {
 public:
  static IsolateData& of(v8::Isolate* isolate) {
    return *static_cast<IsolateData*>(isolate->GetData(0));
  }
  v8::Local<v8::FunctionTemplate> templateFor(v8::Isolate* isolate, const ClassInfo& cls);

  void trackWrapper(Object* o);
  void untrackWrapper(Object* o);
  void releaseAllWrappers();

  void own(Finalizable* f) { finalizables_.insert(f); }
  void disown(Finalizable* f) { finalizables_.erase(f); }

  // The embedder's own per-isolate state (the io layer's Worker); opaque here.
  void* embedder = nullptr;
  class Isolate* owner = nullptr;
  // The module graph of the Worker loaded in this isolate, for V8's module callbacks.
  class ModuleGraph* modules = nullptr;
  // Internal JS functions the runtime calls (installed by the global scope at snapshot time).
  v8::Global<v8::Object> internals;

 private:
  friend class Isolate;
  friend class SnapshotBuilder;
  std::vector<v8::Global<v8::FunctionTemplate>> templates_;
  std::vector<Object*> wrapped_;  // objects whose wrapper holds the last reference
  std::unordered_set<Finalizable*> finalizables_;
};

class Isolate {
 public:
  // A new isolate and context from the embedded startup snapshot.
  static std::unique_ptr<Isolate> create(const IsolateOptions& options);
  ~Isolate();
  Isolate(const Isolate&) = delete;
  Isolate& operator=(const Isolate&) = delete;

  // Stops running JS as soon as possible. Thread-safe; the first reason wins.
  void terminate(TerminationReason reason);
  TerminationReason terminationReason() const { return reason_.load(); }
  // True once a limit was breached: the isolate must not be reused.
  bool condemned() const { return reason_.load() != TerminationReason::None; }

  // Enters the isolate and context and runs `fn` with a Lock. A JS exception escaping `fn`
  // becomes JsException; a termination, or a limit breached while `fn` ran (even if JS
  // finished before the termination took effect), becomes Terminated.
  template <class F>
  auto run(F&& fn) -> decltype(fn(std::declval<Lock&>()));

  // Runs `fn` with the isolate locked but no context entered: for releasing handles owned
  // outside the isolate (for example a module graph) before the isolate goes.
  void locked(const std::function<void()>& fn);

  // Runs the microtask queue (explicit policy). Inside run() only.
  void runMicrotasks(Lock& js);

  // Promises rejected with no handler since the last call (as plain exceptions); handlers
  // attached later in the same turn remove them again, as in the HTML rules.
  std::vector<JsException> takeUnhandledRejections(Lock& js);

  // The V8 heap in use (from any thread that may lock the isolate) and the ArrayBuffer bytes.
  size_t heapUsedBytes();
  size_t arrayBufferBytes() const;
  void* v8Isolate() const { return isolate_; }
  IsolateData& data() { return *data_; }

 private:
  Isolate() = default;
  [[noreturn]] void rethrow(Lock& js, v8::TryCatch& tc);
  static size_t onNearHeapLimit(void* self, size_t current, size_t initial);
  static void onPromiseReject(v8::PromiseRejectMessage message);

  v8::Isolate* isolate_ = nullptr;
  std::unique_ptr<CountingAllocator> allocator_;
  std::unique_ptr<IsolateData> data_;
  v8::Global<v8::Context> context_;
  std::atomic<TerminationReason> reason_{TerminationReason::None};
  size_t heapLimit_ = 0;
  std::vector<std::pair<v8::Global<v8::Promise>, v8::Global<v8::Value>>> unhandled_;
};

template <class F>
auto Isolate::run(F&& fn) -> decltype(fn(std::declval<Lock&>())) {
  if (condemned()) throw Terminated(terminationMessage(reason_.load()));
  Enter enter(isolate_, context_);
  Lock& js = enter.lock();
  v8::TryCatch tc(isolate_);
  try {
    if constexpr (std::is_void_v<decltype(fn(js))>) {
      fn(js);
      if (tc.HasCaught() || tc.HasTerminated() || condemned()) rethrow(js, tc);
    } else {
      auto result = fn(js);
      if (tc.HasCaught() || tc.HasTerminated() || condemned()) rethrow(js, tc);
      return result;
    }
  } catch (const Pending&) {
    rethrow(js, tc);
  } catch (const JsError& e) {
    // A C++ error raised outside any JS callback (for example while loading modules).
    throw JsException(e.kind() == ErrorKind::DOMException ? e.domName() : [&] {
      switch (e.kind()) {
        case ErrorKind::TypeError: return std::string("TypeError");
        case ErrorKind::RangeError: return std::string("RangeError");
        case ErrorKind::SyntaxError: return std::string("SyntaxError");
        default: return std::string("Error");
      }
    }(), e.message(), "", "");
  }
}

}  // namespace wisp::js
