// RequestContext: the state of one invocation (a fetch event, a test run, a module's startup):
// its limits and counters, its captured logs, its pending timers and waitUntil promises.
// The Worker it runs in makes it current while its JS runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "api/host.h"
#include "io/body-stream.h"
#include "io/limits.h"

namespace wisp::io {

struct LogEntry {
  api::LogLevel level;
  double timeMs;  // Unix time (the frozen clock JS saw)
  std::string message;
};

// Why an invocation failed, as the caller sees it.
struct Failure {
  enum class Kind { Exception, Limit, Internal } kind = Kind::Exception;
  std::string name;      // "TypeError"... for exceptions
  std::string message;
  std::string stack;
  std::string location;  // file:line:column, when known
  std::string text() const;
};

class RequestContext {
 public:
  RequestContext(const Limits& limits, boost::asio::io_context& ioc);

  Limits limits;
  double cpuUsedMs = 0;
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point wallDeadline;
  std::vector<LogEntry> logs;

  // Events that may still call back into JS for this invocation. When none is left and the
  // invocation has not produced its result, it never will.
  int pendingTimers = 0;
  int pendingWaitUntil = 0;
  // Asynchronous operations started by this invocation (Worker::awaitIo) not yet completed.
  int pendingIo = 0;
  bool resultDelivered = false;
  bool finished = false;   // result delivered and waitUntil settled: timers are cancelled
  // Classic-script startup (the WPT harness): the invocation lasts while timers are pending.
  bool runsUntilIdle = false;

  // Bodies streaming through this invocation (io/body-stream.h). Native bodies its JS reads by
  // id (ops.bodyRead: the incoming request's body); they are cancelled when it ends.
  std::map<uint64_t, std::shared_ptr<BodySource>> nativeBodies;
  // Streams its JS produces that C++ reads (a streamed response body, a fetch() request body):
  // the invocation lasts until each is over. `bodyPulls`: reads of them waiting on JS.
  int streamingBodies = 0;
  int bodyPulls = 0;
  // WebSocket ends it returned in a 101 response that are still open (io/js-web-socket.h): the
  // invocation lasts while any is, each of their events with a fresh CPU and wall budget.
  int openWebSockets = 0;

  // Counts one outbound request; throws the documented error past the limit.
  void newSubrequest();
  uint32_t subrequests() const { return subrequests_; }

  boost::asio::steady_timer wallTimer;

 private:
  uint32_t subrequests_ = 0;
};

}  // namespace wisp::io
