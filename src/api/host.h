// What the runtime around a Worker provides to its Web APIs. io::Worker implements it; api/
// code reaches it through Host::current(js), so Web APIs never see the event loop or locks.
#pragma once

#include <cstdint>
#include <string>

#include "js/lock.h"
#include "js/value.h"

namespace wisp::api {

class WorkerLoaderHost;  // worker-loader.h
class OutboundHost;      // fetch.h

enum class LogLevel { Debug, Log, Info, Warn, Error };
const char* logLevelName(LogLevel level);

class Host {
 public:
  virtual ~Host() = default;
  // The host of the isolate `js` runs in; throws if the isolate has none (snapshot build).
  static Host& current(js::Lock& js);

  virtual void log(LogLevel level, std::string message) = 0;
  // Starts a timer; when it fires the host calls the JS internals.fireTimer(id).
  virtual void startTimer(uint32_t id, double delayMs) = 0;
  virtual void cancelTimer(uint32_t id) = 0;
  // Keeps the current invocation alive until `promise` settles (ctx.waitUntil).
  virtual void waitUntil(js::Lock& js, js::Value promise) = 0;
  // Unix time in ms when this Worker's isolate was created (performance.timeOrigin).
  virtual double timeOrigin() const = 0;
  // The Worker Loader bindings' runtime half; null when the Worker has no such binding.
  virtual WorkerLoaderHost* workerLoader() { return nullptr; }
  // Where the global fetch() goes (the Worker's global outbound); null when it is blocked, and
  // fetch() then throws api::kOutboundBlocked.
  virtual OutboundHost* outbound() { return nullptr; }
};

}  // namespace wisp::api
