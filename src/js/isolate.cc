#include "js/isolate.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "js/class.h"
#include "js/module.h"
#include "js/object.h"
#include "js/snapshot.h"

namespace wisp::js {

const char* terminationMessage(TerminationReason r) {
  switch (r) {
    case TerminationReason::CpuTime: return "Worker exceeded CPU time limit.";
    case TerminationReason::WallTime: return "Worker exceeded wall time limit.";
    case TerminationReason::HeapLimit: return "Worker exceeded memory limit.";
    case TerminationReason::Shutdown: return "The runtime is shutting down.";
    case TerminationReason::None: break;
  }
  return "Execution was terminated.";
}

// Counts ArrayBuffer backing stores against the isolate's memory budget. A refused allocation
// makes V8 throw a RangeError; going over the budget also condemns the isolate.
class CountingAllocator final : public v8::ArrayBuffer::Allocator {
 public:
  CountingAllocator(Isolate* owner, size_t limit) : owner_(owner), limit_(limit) {}
  void* Allocate(size_t length) override {
    if (!reserve(length)) return nullptr;
    void* p = calloc(length ? length : 1, 1);
    if (!p) bytes_ -= length;
    return p;
  }
  void* AllocateUninitialized(size_t length) override {
    if (!reserve(length)) return nullptr;
    void* p = malloc(length ? length : 1);
    if (!p) bytes_ -= length;
    return p;
  }
  void Free(void* data, size_t length) override {
    free(data);
    bytes_ -= length;
  }
  size_t bytes() const { return bytes_; }
  void setHeapUsed(size_t used) { heapUsed_ = used; }

 private:
  bool reserve(size_t length) {
    if (bytes_ + length + heapUsed_ > limit_) {
      owner_->terminate(TerminationReason::HeapLimit);
      return false;
    }
    bytes_ += length;
    return true;
  }
  Isolate* owner_;
  size_t limit_;
  std::atomic<size_t> bytes_{0};  // Free may run on a V8 background thread
  size_t heapUsed_ = 0;
};

v8::Local<v8::FunctionTemplate> IsolateData::templateFor(v8::Isolate* isolate, const ClassInfo& cls) {
  if (templates_.size() <= static_cast<size_t>(cls.id)) templates_.resize(cls.id + 1);
  auto& slot = templates_[cls.id];
  if (!slot.IsEmpty()) return slot.Get(isolate);
  // Only while building the snapshot: create it from the class's define().
  auto tmpl = v8::FunctionTemplate::New(isolate);
  slot.Reset(isolate, tmpl);
  tmpl->SetClassName(v8::String::NewFromUtf8(isolate, cls.name, v8::NewStringType::kInternalized)
                         .ToLocalChecked());
  tmpl->InstanceTemplate()->SetInternalFieldCount(kInternalFieldCount);
  ClassBuilderBase builder(isolate, tmpl, const_cast<ClassInfo&>(cls));
  cls.define(builder);
  builder.finish();
  return tmpl;
}

void IsolateData::trackWrapper(Object* o) { wrapped_.push_back(o); }
void IsolateData::untrackWrapper(Object* o) {
  auto it = std::find(wrapped_.rbegin(), wrapped_.rend(), o);
  if (it != wrapped_.rend()) wrapped_.erase(std::next(it).base());
}

std::unique_ptr<Isolate> Isolate::create(const IsolateOptions& options) {
  auto blob = embeddedSnapshot();
  if (options.fromSnapshot && blob.empty()) throw std::runtime_error("this binary has no startup snapshot");
  std::unique_ptr<Isolate> self(new Isolate());
  self->heapLimit_ = options.heapLimitBytes;
  self->allocator_ = std::make_unique<CountingAllocator>(self.get(), options.heapLimitBytes);
  self->data_ = std::make_unique<IsolateData>();

  static v8::StartupData startup{blob.data(), static_cast<int>(blob.size())};  // blob is immutable
  v8::Isolate::CreateParams params;
  if (options.fromSnapshot) {
    params.snapshot_blob = &startup;
    params.external_references = Registry::get().externalReferences().data();
  }
  params.array_buffer_allocator = self->allocator_.get();
  // Small young generation: idle memory per isolate is what decides density.
  params.constraints.set_max_young_generation_size_in_bytes(
      std::min<size_t>(options.heapLimitBytes / 4, 8u << 20));
  params.constraints.set_max_old_generation_size_in_bytes(options.heapLimitBytes);
  self->isolate_ = v8::Isolate::New(params);
  v8::Isolate* iso = self->isolate_;
  iso->SetData(0, self->data_.get());
  self->data_->owner = self.get();
  iso->SetMicrotasksPolicy(v8::MicrotasksPolicy::kExplicit);
  iso->AddNearHeapLimitCallback(&Isolate::onNearHeapLimit, self.get());
  iso->SetPromiseRejectCallback(&Isolate::onPromiseReject);
  ModuleGraph::installHooks(iso);
  iso->AddGCEpilogueCallback(
      [](v8::Isolate* isolate, v8::GCType, v8::GCCallbackFlags, void* data) {
        v8::HeapStatistics stats;
        isolate->GetHeapStatistics(&stats);
        static_cast<CountingAllocator*>(data)->setHeapUsed(stats.used_heap_size());
      },
      self->allocator_.get());

  {
    v8::Locker locker(iso);
    v8::Isolate::Scope is(iso);
    v8::HandleScope hs(iso);
    auto& classes = Registry::get().classes();
    self->data_->templates_.resize(classes.size());
    for (ClassInfo* cls : options.fromSnapshot ? classes : std::vector<ClassInfo*>{}) {
      v8::Local<v8::FunctionTemplate> t;
      if (!iso->GetDataFromSnapshotOnce<v8::FunctionTemplate>(cls->id).ToLocal(&t))
        throw std::runtime_error("snapshot: class template missing");
      self->data_->templates_[cls->id].Reset(iso, t);
    }
    auto context = v8::Context::New(iso);
    if (context.IsEmpty()) throw std::runtime_error("could not create a context");
    context->AllowCodeGenerationFromStrings(options.allowCodeGeneration);
    v8::Context::Scope cs(context);
    if (options.install) {
      Lock js(iso, context);
      v8::TryCatch tc(iso);
      try {
        options.install(js);
      } catch (const Pending&) {
      }
      if (tc.HasCaught()) throw js.toException(tc);
    }
    v8::Local<v8::Value> internals;
    auto key = v8::Private::ForApi(iso, v8::String::NewFromUtf8Literal(iso, "wisp:internals"));
    if (context->Global()->GetPrivate(context, key).ToLocal(&internals) && internals->IsObject())
      self->data_->internals.Reset(iso, internals.As<v8::Object>());
    self->context_.Reset(iso, context);
  }
  return self;
}

Isolate::~Isolate() {
  if (!isolate_) return;
  {
    v8::Locker locker(isolate_);
    v8::Isolate::Scope is(isolate_);
    context_.Reset();
    unhandled_.clear();
    data_->internals.Reset();
    data_->templates_.clear();
    data_->releaseAllWrappers();
    for (Finalizable* f : std::exchange(data_->finalizables_, {})) delete f;
  }
  isolate_->Dispose();
}

void IsolateData::releaseAllWrappers() {
  // Releasing one object may free others; take them one at a time.
  while (!wrapped_.empty()) {
    Object* o = wrapped_.back();
    wrapped_.pop_back();
    Wrapping::detachForDisposal(o);
  }
}

void Isolate::locked(const std::function<void()>& fn) {
  v8::Locker locker(isolate_);
  v8::Isolate::Scope is(isolate_);
  v8::HandleScope hs(isolate_);
  fn();
}

void Isolate::terminate(TerminationReason reason) {
  auto expected = TerminationReason::None;
  reason_.compare_exchange_strong(expected, reason);
  isolate_->TerminateExecution();
}

size_t Isolate::onNearHeapLimit(void* raw, size_t current, size_t) {
  auto* self = static_cast<Isolate*>(raw);
  self->terminate(TerminationReason::HeapLimit);
  // Headroom so V8 can finish the allocation in progress and unwind to where termination takes
  // effect. It must cover the largest single allocation (a string of up to 2^29 characters, a
  // 1 GiB array); a smaller limit makes V8 abort the whole process instead.
  return current + std::max<size_t>(current, 1200u << 20);
}

void Isolate::onPromiseReject(v8::PromiseRejectMessage message) {
  auto promise = message.GetPromise();
  auto* iso = promise->GetIsolate();
  auto* self = IsolateData::of(iso).owner;
  if (!self) return;
  auto& list = self->unhandled_;
  if (message.GetEvent() == v8::kPromiseRejectWithNoHandler) {
    list.emplace_back(v8::Global<v8::Promise>(iso, promise), v8::Global<v8::Value>(iso, message.GetValue()));
  } else if (message.GetEvent() == v8::kPromiseHandlerAddedAfterReject) {
    for (auto it = list.begin(); it != list.end(); ++it) {
      if (it->first == promise) {
        list.erase(it);
        break;
      }
    }
  }
}

std::vector<JsException> Isolate::takeUnhandledRejections(Lock& js) {
  std::vector<JsException> out;
  for (auto& [promise, value] : unhandled_) {
    auto v = value.Get(js.isolate());
    auto message = v8::Exception::CreateMessage(js.isolate(), v);
    out.push_back(js.toException(v, message));
  }
  unhandled_.clear();
  return out;
}

void Isolate::runMicrotasks(Lock& js) { js.isolate()->PerformMicrotaskCheckpoint(); }

size_t Isolate::heapUsedBytes() {
  v8::Locker locker(isolate_);  // callable between entries too (Lockers nest on one thread)
  v8::HeapStatistics stats;
  isolate_->GetHeapStatistics(&stats);
  return stats.used_heap_size();
}

size_t Isolate::arrayBufferBytes() const { return allocator_->bytes(); }

void Isolate::rethrow(Lock& js, v8::TryCatch& tc) {
  if (tc.HasTerminated() || reason_.load() != TerminationReason::None) {
    auto reason = reason_.load();
    if (reason == TerminationReason::None) reason = TerminationReason::Shutdown;
    isolate_->CancelTerminateExecution();
    throw Terminated(terminationMessage(reason));
  }
  if (!tc.HasCaught()) throw JsException("Error", "unknown JavaScript failure", "", "");
  throw js.toException(tc);
}

}  // namespace wisp::js
