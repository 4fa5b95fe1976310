#include "js/engine.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "js/v8.h"

namespace wisp::js {
namespace {

thread_local double tFrozenMs = -1;

// Delegates to V8's default platform and replaces only the wall clock, so that Date.now()
// follows Clock (the Workers "clock only moves on I/O" rule, a timing side-channel defence).
class WispPlatform final : public v8::Platform {
 public:
  explicit WispPlatform(std::unique_ptr<v8::Platform> inner) : inner_(std::move(inner)) {}
  v8::Platform* inner() { return inner_.get(); }

  v8::PageAllocator* GetPageAllocator() override { return inner_->GetPageAllocator(); }
  void OnCriticalMemoryPressure() override { inner_->OnCriticalMemoryPressure(); }
  int NumberOfWorkerThreads() override { return inner_->NumberOfWorkerThreads(); }
  std::shared_ptr<v8::TaskRunner> GetForegroundTaskRunner(v8::Isolate* isolate) override {
    return inner_->GetForegroundTaskRunner(isolate);
  }
  void CallOnWorkerThread(std::unique_ptr<v8::Task> task) override {
    inner_->CallOnWorkerThread(std::move(task));
  }
  void CallBlockingTaskOnWorkerThread(std::unique_ptr<v8::Task> task) override {
    inner_->CallBlockingTaskOnWorkerThread(std::move(task));
  }
  void CallLowPriorityTaskOnWorkerThread(std::unique_ptr<v8::Task> task) override {
    inner_->CallLowPriorityTaskOnWorkerThread(std::move(task));
  }
  void CallDelayedOnWorkerThread(std::unique_ptr<v8::Task> task, double delay) override {
    inner_->CallDelayedOnWorkerThread(std::move(task), delay);
  }
  bool IdleTasksEnabled(v8::Isolate* isolate) override { return inner_->IdleTasksEnabled(isolate); }
  std::unique_ptr<v8::JobHandle> PostJob(v8::TaskPriority priority,
                                         std::unique_ptr<v8::JobTask> job_task) override {
    return inner_->PostJob(priority, std::move(job_task));
  }
  double MonotonicallyIncreasingTime() override { return inner_->MonotonicallyIncreasingTime(); }
  double CurrentClockTimeMillis() override { return Clock::nowMs(); }
  v8::TracingController* GetTracingController() override { return inner_->GetTracingController(); }
  StackTracePrinter GetStackTracePrinter() override { return inner_->GetStackTracePrinter(); }

 private:
  std::unique_ptr<v8::Platform> inner_;
};

std::unique_ptr<WispPlatform> gPlatform;

}  // namespace

void Engine::init(const EngineOptions& options) {
  if (gPlatform) return;
  // No SharedArrayBuffer, no shared-memory threads; the rest is V8's defaults. These must match
  // between the snapshot generator and the runtime (both call init()).
  static const char kFlags[] =
      "--no-harmony-sharedarraybuffer --stack-size=900";
  v8::V8::SetFlagsFromString(kFlags, sizeof(kFlags) - 1);
  // For experiments only (benchmarks): extra V8 flags. The snapshot generator must see the same.
  if (const char* extra = getenv("WISP_V8_FLAGS")) v8::V8::SetFlagsFromString(extra, strlen(extra));
  gPlatform = std::make_unique<WispPlatform>(
      v8::platform::NewDefaultPlatform(options.workerThreads));
  v8::V8::InitializePlatform(gPlatform.get());
  v8::V8::Initialize();
}

void Engine::shutdown() {
  if (!gPlatform) return;
  v8::V8::Dispose();
  v8::V8::DisposePlatform();
  gPlatform.reset();
}

bool Engine::initialized() { return gPlatform != nullptr; }

const char* Engine::v8Version() { return v8::V8::GetVersion(); }

void Engine::pumpTasks(void* isolate) {
  while (v8::platform::PumpMessageLoop(gPlatform->inner(), static_cast<v8::Isolate*>(isolate))) {
  }
}

double Clock::realNowMs() {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()) /
         1000.0;
}
void Clock::freeze() { tFrozenMs = realNowMs(); }
void Clock::freezeAt(double unixMs) { tFrozenMs = unixMs; }
void Clock::unfreeze() { tFrozenMs = -1; }
double Clock::nowMs() { return tFrozenMs >= 0 ? tFrozenMs : realNowMs(); }

}  // namespace wisp::js
