// Process-wide engine state: the V8 platform, flags and the clock that JavaScript sees.
// Initialise once, before any isolate; shut down after the last one is gone.
#pragma once

#include <cstdint>
#include <vector>

namespace wisp::js {

class Registry;

struct EngineOptions {
  int workerThreads = 1;   // V8's background threads (GC, compiler)
};

class Engine {
 public:
  static void init(const EngineOptions& options);
  static void shutdown();
  static bool initialized();
  static const char* v8Version();

  // Runs V8's queued foreground tasks for an isolate (finalisers, wasm compilation results).
  // Called by the event loop between turns.
  static void pumpTasks(void* v8Isolate);
};

// The clock JavaScript reads through Date.now() and performance.now(). As in Workers, it only
// moves when the event loop hands control back to JS after I/O or a timer, never during
// computation: the io layer calls freeze() each time it enters JS. Per thread, since each
// event-loop thread runs one isolate at a time.
class Clock {
 public:
  static void freeze();              // set the frozen time to now
  static void freezeAt(double unixMs);
  static void unfreeze();            // Date.now() reads the real clock again
  static double nowMs();             // what Date.now() returns on this thread
  static double realNowMs();
};

}  // namespace wisp::js
