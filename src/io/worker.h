// io::Worker: a loaded Worker = isolate + context + module graph + env, living on one event-loop
// thread (an Asio io_context). Every entry into its JavaScript goes through enter(): take the
// lock, make the invocation's RequestContext current, freeze the clock, arm the watchdog, run,
// run microtasks, disarm, account CPU time. A limit breach condemns the Worker; the caller gets a
// clear error and the process carries on.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/host.h"
#include "io/http.h"
#include "io/limits.h"
#include "io/outbound/global-outbound.h"
#include "io/outbound/outbound-settings.h"
#include "io/request-context.h"
#include "io/rpc.h"
#include "io/worker-code.h"
#include "io/worker-loader.h"
#include "js/isolate.h"
#include "js/module.h"

namespace wisp::codemode {
class Upstreams;  // codemode/upstreams.h
}

namespace wisp::io {

class UpstreamsBridge;  // io/upstreams-bridge.h

struct InvocationStats {
  bool coldStart = false;
  double cpuMs = 0;
  double wallMs = 0;
};

struct FetchResult {
  std::optional<HttpResponse> response;
  std::optional<Failure> error;
  std::vector<LogEntry> logs;
  InvocationStats stats;
};

struct ExecuteResult {
  std::optional<std::string> resultJson;  // JSON of the returned value; nullopt for undefined
  std::optional<Failure> error;
  std::vector<LogEntry> logs;
  InvocationStats stats;
};

struct TestCaseResult {
  std::string name;
  bool ok = false;
  std::string error;
};

struct TestRunResult {
  std::optional<Failure> error;  // the file itself failed (load error, limit)
  std::vector<TestCaseResult> cases;
};

// A `worker_loaders` binding: env[binding] is a Worker Loader whose loaded Workers are shared by
// every binding with the same namespace (the config's `id`, else the binding's own name).
struct LoaderBinding {
  std::string binding;
  std::string ns;
};

class JsBodySource;
class JsWebSocket;

class Worker final : public api::Host, public std::enable_shared_from_this<Worker> {
 public:
  struct Options {
    Limits limits;
    std::string envJson = "{}";  // the `env` object, as JSON
    // A dynamic Worker's env, structured-cloned (io/rpc.h); replaces envJson when set.
    std::shared_ptr<const api::RpcMessage> env;
    // Called for every console message as it happens (the CLI prints them live).
    std::function<void(const LogEntry&)> onLog;
    bool allowCodeGeneration = false;  // eval() / new Function(); off as in Workers
    std::vector<LoaderBinding> workerLoaders;
    LoaderSettings loader;  // the dynamic Workers' cache and how many calls run at once
    // The global outbound: fetch() reaches the network under these settings' egress policy;
    // null blocks it (globalOutbound: null). `wisp run` and configured host Workers get the
    // network; the built-in API's snippets are blocked; a dynamic Worker gets its host's unless
    // its code says otherwise.
    std::shared_ptr<const OutboundSettings> outbound;
    // Instead of the network, fetch() goes to this entrypoint of another Worker (a dynamic
    // Worker's globalOutbound: ctx.exports.Name({props}) of its host).
    std::optional<OutboundEntrypoint> outboundEntrypoint;
    // The upstream MCP servers its env.UPSTREAMS calls (the MCP server's Worker); null: none.
    std::shared_ptr<codemode::Upstreams> mcpUpstreams;
  };

  // Per fetch event: `ctx.props` (JSON; empty for none) and limits lower than the Worker's.
  // `streamResponse`: a Response whose body is a stream comes back as a BodySource to read as
  // the body is written out (HttpResponse::bodyStream; the invocation lasts until it is over);
  // otherwise the body is read to its end first.
  struct FetchOptions {
    std::string propsJson;
    std::shared_ptr<const api::RpcMessage> props;  // structured-cloned props; replace propsJson
    api::DynamicLimits limits;
    bool streamResponse = false;
    // The caller bridges a 101 response's WebSocket end to a client (HttpResponse::webSocket,
    // server/websocket-session.h); otherwise that end is closed in JS at once (1006).
    bool acceptWebSocket = false;
  };

  static std::shared_ptr<Worker> create(boost::asio::io_context& ioc, WorkerCode code, Options options);
  ~Worker() override;

  // Evaluates the main module (and any top-level await). `done` gets the failure, if any.
  void start(std::function<void(std::optional<Failure>)> done);

  // Dispatches a fetch event to an entrypoint ("default" or a named export). `done` runs once
  // the Response is complete (or, with streamResponse, once its head is); the invocation may go
  // on with ctx.waitUntil work afterwards. A request body given as a stream is read as the
  // Worker reads `request.body`.
  void fetch(HttpRequest request, std::string entrypoint, std::function<void(FetchResult)> done,
             FetchOptions options);
  // (Not a default argument: GCC cannot use FetchOptions' member initializers in one.)
  void fetch(HttpRequest request, std::string entrypoint, std::function<void(FetchResult)> done) {
    fetch(std::move(request), std::move(entrypoint), std::move(done), FetchOptions{});
  }

  // Delivers a Workers RPC call (io/rpc.h) as a new invocation: an entrypoint's method (or
  // property), or an export's. `done` gets the value, what the callee threw, or its failure.
  // Calls made on its answer meanwhile go with `pipeline` (io/rpc.h).
  void call(RpcDestination to, api::RpcCall call, RpcAnswer done, std::shared_ptr<RpcPipelineState> pipeline);
  RpcSession& rpcSession() { return *rpc_; }

  // Bridges an asynchronous C++ operation into the current invocation's JS: returns a promise.
  // `start` runs on the loop after the current entry and gets `done`, to call once with a
  // function that builds the result inside this Worker (a thrown js::JsError rejects the
  // promise). The invocation counts as pending meanwhile (RequestContext::pendingIo).
  using IoResult = std::function<js::Value(js::Lock&)>;
  using IoDone = std::function<void(IoResult)>;
  js::Value awaitIo(js::Lock& js, std::function<void(IoDone)> start);

  // Calls the main module's default export as `fn(env)` and awaits it (Code Mode snippets,
  // see snippetWorkerCode). The result must be JSON-serialisable.
  void execute(std::function<void(ExecuteResult)> done);

  // Runs every exported test function of the main module (for `wisp test`).
  void runTests(std::function<void(TestRunResult)> done);

  bool condemned() const { return isolate_->condemned(); }
  // The invocation whose JS is running, if any.
  const RequestContext* currentContext() const { return current_.get(); }
  RequestContext* currentContext() { return current_.get(); }
  js::Isolate& isolate() { return *isolate_; }
  // The network settings fetch() runs under; null when it is blocked. A dynamic Worker whose
  // globalOutbound is omitted inherits these (Worker Loader semantics).
  const std::shared_ptr<const OutboundSettings>& outboundSettings() const { return options_.outbound; }

  // api::Host
  void log(api::LogLevel level, std::string message) override;
  void startTimer(uint32_t id, double delayMs) override;
  void cancelTimer(uint32_t id) override;
  void waitUntil(js::Lock& js, js::Value promise) override;
  double timeOrigin() const override { return timeOrigin_; }
  api::WorkerLoaderHost* workerLoader() override { return loader_.get(); }
  api::OutboundHost* outbound() override;
  api::RpcHost* rpc() override;
  api::McpUpstreamsHost* mcpUpstreams() override;
  js::Value readBody(js::Lock& js, uint64_t id) override;
  void cancelBody(uint64_t id) override;
  std::shared_ptr<BodySource> bodyFromJs(js::Lock& js, uint64_t id, std::optional<uint64_t> length) override;
  void webSocketSend(uint64_t id, std::string data, bool text) override;
  void webSocketClose(uint64_t id, int code, std::string reason) override;

 private:
  Worker(boost::asio::io_context& ioc, WorkerCode code, Options options);

  using Ctx = std::shared_ptr<RequestContext>;
  std::shared_ptr<RequestContext> newContext(const Limits& limits);
  std::shared_ptr<RequestContext> newContext() { return newContext(options_.limits); }
  // Runs `fn` inside the isolate for invocation `ctx`. Returns false if the Worker was
  // condemned (a limit) or `fn` threw; `ctx` is then failed through its onFailure.
  bool enter(const Ctx& ctx, const std::function<void(js::Lock&)>& fn);
  // After every entry: fail invocations that can no longer finish, finish completed ones.
  void settle(const Ctx& ctx);
  void fail(const Ctx& ctx, Failure failure);
  void armWallTimer(const Ctx& ctx);
  // The invocation is over: its wall timer and timers are cancelled.
  void finish(const Ctx& ctx);
  void expect(const Ctx& ctx, std::function<void(Failure)> report) { onFailure_[ctx.get()] = {ctx, std::move(report)}; }
  // The `env` of an invocation (io/rpc.cc): from envJson with the loader bindings, or the
  // structured-cloned env, which JS reads once and keeps.
  js::Value envFor(js::Lock& js);
  // JS forgets exports whose last reference went (RpcSession).
  friend class RpcSession;
  void forgetExports(std::vector<uint64_t> ids);
  // A call's method settled: the calls queued on `pipeline` go to its raw result (`raw`), or get
  // what it threw.
  void settlePipeline(js::Lock& js, RpcPipelineState& pipeline, bool ok,
                      const std::shared_ptr<const api::RpcMessage>& value, js::Value raw);

  // Streams JS produces for C++ to read (io/js-body-source.h).
  friend class JsBodySource;
  std::shared_ptr<JsBodySource> newJsBody(const Ctx& ctx, uint64_t id, std::optional<uint64_t> length);
  // Ends the JS bodies of `only` (every invocation's when null; only those waiting on JS when
  // `pullingOnly`): their reads get `why`; `toJs`: their streams are cancelled in JS too.
  void abandonJsBodies(const RequestContext* only, const std::string& why, bool toJs, bool pullingOnly = false);
  // Cancels the JS stream `id` of `ctx` (internals.cancelBody), then lets `ctx` settle.
  void cancelJsBody(const Ctx& ctx, uint64_t id, const std::string& reason);

  // WebSocket ends JS returned in 101 responses (io/js-web-socket.h).
  friend class JsWebSocket;
  std::shared_ptr<JsWebSocket> newJsWebSocket(js::Lock& js, const Ctx& ctx, uint64_t id);
  // The sockets of `only` (every invocation's when null) are closed with `code` for the client.
  void abandonWebSockets(const RequestContext* only, int code, const std::string& why);
  // An invocation with an open WebSocket starts each event with a fresh CPU and wall budget.
  void renewBudget(const Ctx& ctx);

  boost::asio::io_context& ioc_;
  WorkerCode code_;
  Options options_;
  std::unique_ptr<js::Isolate> isolate_;
  std::unique_ptr<js::ModuleGraph> modules_;
  double timeOrigin_;
  bool started_ = false;
  bool everInvoked_ = false;

  struct Timer {
    std::unique_ptr<boost::asio::steady_timer> timer;
    Ctx ctx;
  };
  std::map<uint32_t, Timer> timers_;
  Ctx current_;
  // Per invocation: how to report a failure that happens later (timer callback, limit).
  struct Waiting {
    Ctx ctx;
    std::function<void(Failure)> report;
  };
  std::map<RequestContext*, Waiting> onFailure_;
  uint32_t nextIoId_ = 1;
  std::unique_ptr<WorkerLoader> loader_;  // when the Worker has Worker Loader bindings
  std::unique_ptr<GlobalOutbound> outbound_;  // null when fetch() is blocked
  std::unique_ptr<RpcSession> rpc_;
  std::unique_ptr<UpstreamsBridge> upstreams_;  // when options_.mcpUpstreams is set  // RPC exports and the references invocations received
  std::vector<std::weak_ptr<JsBodySource>> jsBodies_;
  std::map<uint64_t, std::weak_ptr<JsWebSocket>> webSockets_;  // by their id in JS
  uint64_t nextBodyId_ = 1;  // native bodies (RequestContext::nativeBodies)
};

}  // namespace wisp::io
