#include "io/worker.h"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "io/isolate-pool.h"
#include "io/js-body-source.h"
#include "io/js-web-socket.h"
#include "io/outbound/entrypoint-outbound.h"
#include "io/outbound/network-outbound.h"
#include "io/upstreams-bridge.h"
#include "io/watchdog.h"
#include "js/engine.h"
#include "js/promise.h"
#include "js/script.h"

namespace wisp::io {

using Clock = std::chrono::steady_clock;

namespace {

Failure fromException(const js::JsException& e) {
  return {Failure::Kind::Exception, e.name(), e.message(), e.stack(), e.location()};
}

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// How much of a native body one ops.bodyRead asks for.
constexpr size_t kBodyReadBytes = 64 * 1024;

// Workers' text for an I/O object used by another invocation than the one that made it.
constexpr const char* kOtherRequest =
    "Cannot perform I/O on behalf of a different request. I/O objects (such as streams, request/response bodies, "
    "and others) created in the context of one request handler cannot be accessed from a different request's "
    "handler.";

// As in workerd, every export of a Worker's main module is a handler (an object, a class or a
// function): a Worker exporting anything else does not start.
std::optional<Failure> nonHandlerExport(js::Lock& js, js::Value ns) {
  auto keys = js.ownNonIndexKeys(ns);
  for (uint32_t i = 0; i < js.arrayLength(keys); i++) {
    auto key = js.arrayItem(keys, i);
    if (!key.isString()) continue;  // Symbol.toStringTag
    auto name = js.toString(key);
    auto value = js.property(ns, name);
    if (!value.isObject() && !value.isFunction()) {
      return Failure{Failure::Kind::Exception, "TypeError",
                     "Incorrect type for map entry '" + name +
                         "': the provided value is not of type 'function or ExportedHandler'.",
                     "", ""};
    }
  }
  return std::nullopt;
}

const std::map<std::string, std::string> kBuiltinModules = {
    {"cloudflare:workers", "workersModule"},
    {"cloudflare:sockets", "socketsModule"},
    {"wisp:test", "testModule"},
    {"wisp:codemode", "codemodeModule"},  // a lazy area: loaded on first import
};

}  // namespace

std::shared_ptr<Worker> Worker::create(boost::asio::io_context& ioc, WorkerCode code, Options options) {
  return std::shared_ptr<Worker>(new Worker(ioc, std::move(code), std::move(options)));
}

Worker::Worker(boost::asio::io_context& ioc, WorkerCode code, Options options)
    : ioc_(ioc), code_(std::move(code)), options_(std::move(options)), timeOrigin_(js::Clock::realNowMs()) {
  js::IsolateOptions io;
  io.heapLimitBytes = options_.limits.heapBytes;
  io.allowCodeGeneration = options_.allowCodeGeneration;
  isolate_ = IsolatePool::take(io);
  js::ModuleGraph::Fallback fallback;
  if (!code_.diskRoot.empty()) {
    fallback = [root = code_.diskRoot](const std::string& name) { return loadModuleFromDisk(root, name); };
  }
  modules_ = std::make_unique<js::ModuleGraph>(code_.modules, kBuiltinModules, std::move(fallback));
  isolate_->data().embedder = static_cast<api::Host*>(this);
  isolate_->data().modules = modules_.get();
  rpc_ = std::make_unique<RpcSession>(*this, ioc_);
  if (!options_.workerLoaders.empty())
    loader_ = std::make_unique<WorkerLoader>(*this, ioc_, options_.limits, options_.onLog, options_.loader);
  if (options_.outboundEntrypoint)
    outbound_ = std::make_unique<EntrypointOutbound>(*this, *options_.outboundEntrypoint);
  else if (options_.outbound)
    outbound_ = std::make_unique<NetworkOutbound>(*this, ioc_, options_.outbound);
  if (options_.mcpUpstreams) upstreams_ = std::make_unique<UpstreamsBridge>(*this, ioc_, options_.mcpUpstreams);
}

api::McpUpstreamsHost* Worker::mcpUpstreams() { return upstreams_.get(); }

Worker::~Worker() {
  loader_.reset();  // its dynamic Workers go first
  outbound_.reset();
  for (auto& [id, t] : timers_) t.timer->cancel();
  timers_.clear();
  abandonJsBodies(nullptr, "The Worker producing this body was unloaded.", false);
  abandonWebSockets(nullptr, 1011, "The Worker serving this WebSocket was unloaded.");
  isolate_->data().embedder = nullptr;
  isolate_->data().modules = nullptr;
  isolate_->locked([&] { modules_.reset(); });  // its handles must go while the isolate lives
}

std::shared_ptr<RequestContext> Worker::newContext(const Limits& limits) {
  auto ctx = std::make_shared<RequestContext>(limits, ioc_);
  armWallTimer(ctx);
  return ctx;
}

void Worker::armWallTimer(const Ctx& ctx) {
  ctx->wallTimer.expires_at(ctx->wallDeadline);
  std::weak_ptr<Worker> weak = weak_from_this();
  ctx->wallTimer.async_wait([weak, ctx](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || ctx->finished) return;
    // Open WebSockets with nothing else pending: the invocation is idle between messages, which
    // is no breach (the next message renews the budget).
    if (ctx->openWebSockets > 0 && ctx->pendingTimers == 0 && ctx->pendingIo == 0 && ctx->pendingWaitUntil == 0 &&
        ctx->bodyPulls == 0 && self->onFailure_.count(ctx.get()) == 0)
      return;
    // The invocation waited past its wall-time budget without JS running (the watchdog
    // handles JS that is running): it is over, and the Worker with its pending state goes.
    self->isolate_->terminate(js::TerminationReason::WallTime);
    self->fail(ctx, {Failure::Kind::Limit, "", js::terminationMessage(js::TerminationReason::WallTime), "", ""});
  });
}

bool Worker::enter(const Ctx& ctx, const std::function<void(js::Lock&)>& fn) {
  if (isolate_->condemned()) {
    fail(ctx, {Failure::Kind::Limit, "", js::terminationMessage(isolate_->terminationReason()), "", ""});
    return false;
  }
  if (ctx->openWebSockets > 0) renewBudget(ctx);
  auto previous = current_;
  current_ = ctx;
  js::Clock::freeze();
  auto cpuClock = currentThreadCpuClock();
  double cpuBefore = threadCpuMs(cpuClock);
  std::optional<Failure> failure;
  std::vector<js::JsException> rejections;
  try {
    auto guard = Watchdog::instance().arm(*isolate_, ctx->limits.cpuMs - ctx->cpuUsedMs, ctx->wallDeadline);
    isolate_->run([&](js::Lock& js) {
      fn(js);
      isolate_->runMicrotasks(js);
      // V8's own tasks for this isolate, such as FinalizationRegistry callbacks, run user JS: they
      // need the lock, the context and the watchdog as much as `fn` does.
      js::Engine::pumpTasks(isolate_->v8Isolate());
      isolate_->runMicrotasks(js);
      rejections = isolate_->takeUnhandledRejections(js);
    });
  } catch (const js::Terminated& t) {
    failure = Failure{Failure::Kind::Limit, "", t.what(), "", ""};
  } catch (const js::JsException& e) {
    failure = fromException(e);
  }
  ctx->cpuUsedMs += threadCpuMs(cpuClock) - cpuBefore;
  // Logged while `ctx` is still current, so they land in this invocation's logs.
  for (auto& r : rejections) {
    log(api::LogLevel::Error, "Uncaught (in promise) " + (r.stack().empty() ? r.message() : r.stack()));
  }
  current_ = previous;
  if (failure) {
    fail(ctx, std::move(*failure));
    return false;
  }
  settle(ctx);
  return true;
}

void Worker::fail(const Ctx& ctx, Failure failure) {
  if (failure.kind == Failure::Kind::Limit) {
    // The isolate is condemned: every invocation still waiting on it fails the same way.
    auto pending = std::move(onFailure_);
    onFailure_.clear();
    for (auto& [raw, w] : pending) {
      w.report(failure);
      finish(w.ctx);
    }
    // Bodies still streaming from this isolate end with it (their invocations then finish),
    // and so do its WebSockets (1011: the server hit an unexpected condition).
    abandonJsBodies(nullptr, failure.message, false);
    abandonWebSockets(nullptr, 1011, failure.message);
    finish(ctx);
    return;
  }
  auto it = onFailure_.find(ctx.get());
  if (it == onFailure_.end()) {
    // The result was already delivered (a waitUntil task or a timer threw afterwards): log it.
    log(api::LogLevel::Error, "Uncaught " + failure.text());
    settle(ctx);
    return;
  }
  auto report = std::move(it->second.report);
  onFailure_.erase(it);
  report(std::move(failure));
  settle(ctx);
}

void Worker::settle(const Ctx& ctx) {
  if (ctx->finished) return;
  bool waiting = onFailure_.count(ctx.get()) > 0;
  bool idle = ctx->pendingTimers == 0 && ctx->pendingWaitUntil == 0 && ctx->pendingIo == 0;
  // A message on another invocation's open WebSocket may still settle what this one awaits (a
  // Cap'n Web session relays an RPC call to its client and the answer comes back that way,
  // docs/capnweb.md): then only the wall-time limit ends the wait.
  bool socketElsewhere = std::any_of(webSockets_.begin(), webSockets_.end(), [&](const auto& entry) {
    auto ws = entry.second.lock();
    return ws && ws->context() != ctx.get();
  });
  if (waiting && idle && !socketElsewhere) {
    // Nothing left that could call back into JS for this invocation.
    fail(ctx, {Failure::Kind::Exception, "Error", "The script will never generate a response.", "", ""});
    waiting = false;
  }
  if (idle && ctx->bodyPulls > 0) {
    // A body stream waits for a chunk that nothing left could write.
    abandonJsBodies(ctx.get(), "The script will never complete this body: nothing is left that could write to its stream.",
                    true, true);
  }
  if (!waiting && ctx->pendingWaitUntil == 0 && ctx->streamingBodies == 0 && ctx->openWebSockets == 0 &&
      !(ctx->runsUntilIdle && (ctx->pendingTimers > 0 || ctx->pendingIo > 0)))
    finish(ctx);
}

void Worker::finish(const Ctx& ctx) {
  if (ctx->finished) return;
  ctx->finished = true;
  ctx->wallTimer.cancel();
  // Bodies are I/O of this invocation: they end with it.
  auto bodies = std::move(ctx->nativeBodies);
  ctx->nativeBodies.clear();
  for (auto& [id, body] : bodies) body->cancel("The invocation that read this body is over.");
  abandonJsBodies(ctx.get(), "The invocation that produced this body is over.", false);
  abandonWebSockets(ctx.get(), 1011, "The invocation serving this WebSocket is over.");
  if (loader_) loader_->invocationFinished(ctx.get());
  if (outbound_) outbound_->invocationFinished(ctx.get());
  rpc_->invocationFinished(ctx.get());  // the RPC stubs it received are disposed
  // As in Workers, the invocation's timers end with it.
  {
    for (auto it = timers_.begin(); it != timers_.end();) {
      if (it->second.ctx == ctx) {
        it->second.timer->cancel();
        ctx->pendingTimers--;
        it = timers_.erase(it);
      } else {
        ++it;
      }
    }
  }
}

void Worker::start(std::function<void(std::optional<Failure>)> done) {
  auto ctx = newContext();
  Worker* self = this;  // JS reactions run only inside this Worker's isolate, so never after it
  auto deliver = [this, done](std::optional<Failure> f) {
    boost::asio::post(ioc_, [done, f = std::move(f)]() mutable { done(std::move(f)); });
  };
  expect(ctx, [deliver](Failure f) { deliver(std::move(f)); });
  if (!code_.classicScripts.empty()) {
    ctx->runsUntilIdle = true;
    enter(ctx, [&](js::Lock& js) {
      for (auto& [name, source] : code_.classicScripts) js::runScript(js, name, source);
      onFailure_.erase(ctx.get());
      started_ = true;
      deliver(std::nullopt);
    });
    return;
  }
  enter(ctx, [&](js::Lock& js) {
    js::Value evaluation;
    try {
      // The Worker Loader leaves a missing main module to this point, as workerd does.
      bool hasMain = std::any_of(code_.modules.begin(), code_.modules.end(),
                                 [&](const js::ModuleSpec& m) { return m.name == code_.mainModule; });
      if (!hasMain && code_.diskRoot.empty()) throw js::Error("No such module: " + code_.mainModule);
      evaluation = js::Value(modules_->evaluate(js, code_.mainModule));
    } catch (const js::JsError& e) {
      throw js::JsException(e.kind() == js::ErrorKind::TypeError ? "TypeError" : "Error", e.message(), "", "");
    }
    js::then(js, evaluation,
             [self, ctx, deliver](js::Lock& js, js::Value) {
               if (auto refused = nonHandlerExport(js, js::Value(self->modules_->namespaceOf(js, self->code_.mainModule))))
                 return self->fail(ctx, std::move(*refused));
               if (self->onFailure_.erase(ctx.get()) == 0) return;
               self->started_ = true;
               deliver(std::nullopt);
             },
             [self, ctx](js::Lock& js, js::Value error) {
               self->fail(ctx, fromException(js.describe(error)));
             });
  });
}

void Worker::fetch(HttpRequest request, std::string entrypoint, std::function<void(FetchResult)> done,
                   FetchOptions fetchOptions) {
  auto ctx = newContext(lowerLimits(options_.limits, fetchOptions.limits));
  Worker* self = this;  // JS reactions run only inside this Worker's isolate, so never after it
  bool cold = !everInvoked_;
  everInvoked_ = true;
  // Posted, so it runs after the entry that produced the result has added its CPU time.
  auto deliver = [self, ctx, done, cold](std::optional<HttpResponse> response, std::optional<Failure> error) {
    boost::asio::post(self->ioc_, [ctx, done, cold, response = std::move(response), error = std::move(error)]() mutable {
      done(FetchResult{std::move(response), std::move(error), ctx->logs, {cold, ctx->cpuUsedMs, msSince(ctx->started)}});
    });
  };
  expect(ctx, [deliver](Failure f) { deliver(std::nullopt, std::move(f)); });
  enter(ctx, [&](js::Lock& js) {
    std::vector<js::Value> headers;
    for (auto& [k, v] : request.headers) headers.push_back(js.array({js.string(k), js.string(v)}));
    js::Value body = js.undefined(), bodyLength = js.undefined();
    if (request.bodyStream) {
      uint64_t id = nextBodyId_++;
      if (auto length = request.bodyStream->length()) bodyLength = js.number(static_cast<double>(*length));
      ctx->nativeBodies[id] = std::move(request.bodyStream);
      body = js.number(static_cast<double>(id));
    } else if (!request.body.empty()) {
      body = js.bytes(request.body);
    }
    auto req = js::callInternal(js, "newRequest",
                                {js.string(request.method), js.string(request.url), js.array(headers), body, bodyLength});
    auto env = envFor(js);
    auto props = fetchOptions.props ? js::callInternal(js, "rpcProps", {api::newPayload(js, fetchOptions.props)})
                 : fetchOptions.propsJson.empty() ? js.undefined()
                                                  : js.parseJson(fetchOptions.propsJson);
    auto ns = js::Value(modules_->namespaceOf(js, code_.mainModule));
    auto context = js::callInternal(js, "makeContext", {props, ns, env});
    auto handler = js.property(ns, entrypoint);
    if (handler.isUndefined()) {
      throw js::Error(entrypoint == "default" ? "Worker has no default entrypoint."
                                              : "Worker has no such entrypoint: " + entrypoint);
    }
    auto responsePromise = js::callInternal(js, "dispatchFetch", {handler, req, env, context});
    auto onError = [self, ctx](js::Lock& js, js::Value error) { self->fail(ctx, fromException(js.describe(error))); };
    js::then(js, responsePromise,
             [self, ctx, deliver, onError, stream = fetchOptions.streamResponse,
              bridge = fetchOptions.acceptWebSocket](js::Lock& js, js::Value response) {
               auto serialized = js::callInternal(js, "serializeResponse", {response, js.boolean(stream)});
               js::then(js, serialized,
                        [self, ctx, deliver, bridge](js::Lock& js, js::Value wire) {
                          HttpResponse out;
                          out.status = static_cast<int>(js.toNumber(js.property(wire, "status")));
                          out.statusText = js.toString(js.property(wire, "statusText"));
                          auto hs = js.property(wire, "headers");
                          for (uint32_t i = 0; i < js.arrayLength(hs); i++) {
                            auto pair = js.arrayItem(hs, i);
                            out.headers.emplace_back(js.toString(js.arrayItem(pair, 0)), js.toString(js.arrayItem(pair, 1)));
                          }
                          if (self->onFailure_.count(ctx.get()) == 0) return;
                          auto webSocket = js.property(wire, "webSocket");
                          if (!webSocket.isUndefined()) {
                            auto end = self->newJsWebSocket(js, ctx, static_cast<uint64_t>(js.toNumber(webSocket)));
                            if (bridge) out.webSocket = std::move(end);  // else dropped: JS gets its close
                          }
                          auto streamId = js.property(wire, "bodyStream");
                          if (streamId.isUndefined()) {
                            out.body = js.toBytes(js.property(wire, "body"));
                          } else {
                            auto length = js.property(wire, "bodyLength");
                            out.bodyStream = self->newJsBody(
                                ctx, static_cast<uint64_t>(js.toNumber(streamId)),
                                length.isNull() || length.isUndefined()
                                    ? std::nullopt
                                    : std::optional(static_cast<uint64_t>(js.toNumber(length))));
                          }
                          self->onFailure_.erase(ctx.get());
                          deliver(std::move(out), std::nullopt);
                        },
                        onError);
             },
             onError);
  });
}

void Worker::execute(std::function<void(ExecuteResult)> done) {
  auto ctx = newContext();
  Worker* self = this;  // JS reactions run only inside this Worker's isolate, so never after it
  bool cold = !everInvoked_;
  everInvoked_ = true;
  // Posted, so it runs after the entry that produced the result has added its CPU time.
  auto deliver = [self, ctx, done, cold](std::optional<std::string> json, std::optional<Failure> error) {
    boost::asio::post(self->ioc_, [ctx, done, cold, json = std::move(json), error = std::move(error)]() mutable {
      done(ExecuteResult{std::move(json), std::move(error), ctx->logs, {cold, ctx->cpuUsedMs, msSince(ctx->started)}});
    });
  };
  expect(ctx, [deliver](Failure f) { deliver(std::nullopt, std::move(f)); });
  enter(ctx, [&](js::Lock& js) {
    auto ns = js::Value(modules_->namespaceOf(js, code_.mainModule));
    auto fn = js.property(ns, "default");
    if (!fn.isFunction()) throw js::TypeError("The main module's default export is not a function.");
    auto result = js.call(fn, {js.parseJson(options_.envJson)});
    js::then(js, result,
             [self, ctx, deliver](js::Lock& js, js::Value value) {
               std::string error;
               auto json = js.tryToJson(value, error);
               if (!error.empty()) {
                 return self->fail(ctx, {Failure::Kind::Exception, "TypeError",
                                         "The result could not be serialized as JSON: " + error, "", ""});
               }
               if (self->onFailure_.erase(ctx.get()) == 0) return;
               deliver(std::move(json), std::nullopt);
             },
             [self, ctx](js::Lock& js, js::Value error) { self->fail(ctx, fromException(js.describe(error))); });
  });
}

void Worker::runTests(std::function<void(TestRunResult)> done) {
  auto ctx = newContext();
  Worker* self = this;  // JS reactions run only inside this Worker's isolate, so never after it
  auto deliver = [this, done](TestRunResult r) {
    boost::asio::post(ioc_, [done, r = std::move(r)]() mutable { done(std::move(r)); });
  };
  expect(ctx, [deliver](Failure f) { deliver(TestRunResult{std::move(f), {}}); });
  enter(ctx, [&](js::Lock& js) {
    auto ns = js::Value(modules_->namespaceOf(js, code_.mainModule));
    auto results = js::callInternal(js, "runTests", {ns});
    js::then(js, results,
             [self, ctx, deliver](js::Lock& js, js::Value list) {
               TestRunResult out;
               for (uint32_t i = 0; i < js.arrayLength(list); i++) {
                 auto item = js.arrayItem(list, i);
                 auto err = js.property(item, "error");
                 out.cases.push_back({js.toString(js.property(item, "name")),
                                      js.property(item, "ok").local()->IsTrue(),
                                      err.isUndefined() || err.isNull() ? "" : js.toString(err)});
               }
               if (self->onFailure_.erase(ctx.get()) == 0) return;
               deliver(std::move(out));
             },
             [self, ctx](js::Lock& js, js::Value error) { self->fail(ctx, fromException(js.describe(error))); });
  });
}

js::Value Worker::awaitIo(js::Lock& js, std::function<void(IoDone)> start) {
  if (!current_) throw js::Error("This operation can only run while the Worker handles an event.");
  auto ctx = current_;
  uint32_t id = nextIoId_++;
  auto promise = js::callInternal(js, "newIo", {js.number(id)});
  ctx->pendingIo++;
  std::weak_ptr<Worker> weak = weak_from_this();
  IoDone done = [weak, ctx, id](IoResult result) {
    // Posted: the result re-enters the host at the top of the loop, never inside another entry.
    auto self = weak.lock();
    if (!self) return;
    boost::asio::post(self->ioc_, [weak, ctx, id, result = std::move(result)] {
      auto self = weak.lock();
      if (!self) return;
      ctx->pendingIo--;
      if (ctx->finished) return;
      self->enter(ctx, [&](js::Lock& js) {
        js::Value value;
        bool ok = true;
        try {
          value = result(js);
        } catch (const js::JsError& e) {
          ok = false;
          value = js.error(e);
        }
        js::callInternal(js, "settleIo", {js.number(id), js.boolean(ok), value});
      });
    });
  };
  boost::asio::post(ioc_, [weak, start = std::move(start), done = std::move(done)] {
    if (weak.lock()) start(done);
  });
  return promise;
}

// ---- bodies (api/body-source.h) ----

js::Value Worker::readBody(js::Lock& js, uint64_t id) {
  if (!current_) throw js::Error("A body can only be read while the Worker handles an event.");
  auto it = current_->nativeBodies.find(id);
  if (it == current_->nativeBodies.end()) throw js::TypeError(kOtherRequest);
  auto source = it->second;
  return awaitIo(js, [source](IoDone done) {
    source->read(kBodyReadBytes, [done](BodyPiece piece) {
      if (piece.error) return done([why = *piece.error](js::Lock&) -> js::Value { throw js::TypeError(why); });
      if (piece.end) return done([](js::Lock& js) { return js.array({js.undefined(), js.boolean(true)}); });
      auto bytes = std::make_shared<std::string>(std::move(piece.bytes));
      done([bytes, last = piece.last](js::Lock& js) { return js.array({js.bytes(*bytes), js.boolean(last)}); });
    });
  });
}

void Worker::cancelBody(uint64_t id) {
  if (!current_) return;
  auto it = current_->nativeBodies.find(id);
  if (it == current_->nativeBodies.end()) return;
  auto source = std::move(it->second);
  current_->nativeBodies.erase(it);
  source->cancel("The Worker cancelled the body.");
}

std::shared_ptr<BodySource> Worker::bodyFromJs(js::Lock&, uint64_t id, std::optional<uint64_t> length) {
  if (!current_) throw js::Error("A body can only be sent while the Worker handles an event.");
  return newJsBody(current_, id, length);
}

std::shared_ptr<JsBodySource> Worker::newJsBody(const Ctx& ctx, uint64_t id, std::optional<uint64_t> length) {
  std::erase_if(jsBodies_, [](const auto& weak) { return weak.expired(); });
  auto body = std::make_shared<JsBodySource>(weak_from_this(), ioc_, ctx, id, length);
  jsBodies_.push_back(body);
  return body;
}

void Worker::abandonJsBodies(const RequestContext* only, const std::string& why, bool toJs, bool pullingOnly) {
  std::vector<std::shared_ptr<JsBodySource>> hit;
  for (auto& weak : jsBodies_) {
    auto body = weak.lock();
    if (body && (!only || body->context() == only) && (!pullingOnly || body->pulling())) hit.push_back(body);
  }
  for (auto& body : hit) body->abandon(why, toJs);
}

void Worker::cancelJsBody(const Ctx& ctx, uint64_t id, const std::string& reason) {
  if (ctx->finished || condemned()) return settle(ctx);
  enter(ctx, [&](js::Lock& js) {
    js::callInternal(js, "cancelBody", {js.number(static_cast<double>(id)), js.string(reason)});
  });
}

// ---- WebSockets (io/js-web-socket.h) ----

std::shared_ptr<JsWebSocket> Worker::newJsWebSocket(js::Lock& js, const Ctx& ctx, uint64_t id) {
  std::erase_if(webSockets_, [](const auto& entry) { return entry.second.expired(); });
  auto ws = std::make_shared<JsWebSocket>(weak_from_this(), ioc_, ctx, id);
  webSockets_[id] = ws;
  // What the peer end sent so far is queued for the client from now on, the rest as it comes.
  js::callInternal(js, "webSocketBridged", {js.number(static_cast<double>(id))});
  return ws;
}

void Worker::webSocketSend(uint64_t id, std::string data, bool text) {
  auto it = webSockets_.find(id);
  if (it == webSockets_.end()) return;
  if (auto ws = it->second.lock()) ws->send({std::move(data), text});
}

void Worker::webSocketClose(uint64_t id, int code, std::string reason) {
  auto it = webSockets_.find(id);
  if (it == webSockets_.end()) return;
  if (auto ws = it->second.lock()) ws->close(code, std::move(reason));
}

void Worker::abandonWebSockets(const RequestContext* only, int code, const std::string& why) {
  std::vector<std::shared_ptr<JsWebSocket>> hit;
  for (auto& [id, weak] : webSockets_) {
    auto ws = weak.lock();
    if (ws && (!only || ws->context() == only)) hit.push_back(ws);
  }
  for (auto& ws : hit) ws->abandon(code, why);
}

void Worker::renewBudget(const Ctx& ctx) {
  ctx->cpuUsedMs = 0;
  ctx->wallDeadline = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(ctx->limits.wallMs * 1000));
  armWallTimer(ctx);
}

// ---- api::Host ----

api::OutboundHost* Worker::outbound() { return outbound_.get(); }

void Worker::log(api::LogLevel level, std::string message) {
  LogEntry entry{level, js::Clock::nowMs(), std::move(message)};
  if (options_.onLog) options_.onLog(entry);
  if (current_) current_->logs.push_back(std::move(entry));
}

void Worker::startTimer(uint32_t id, double delayMs) {
  if (!current_) throw js::Error("Timers can only be started while the Worker handles an event.");
  auto timer = std::make_unique<boost::asio::steady_timer>(ioc_);
  timer->expires_after(std::chrono::microseconds(static_cast<int64_t>(std::max(0.0, delayMs) * 1000)));
  auto ctx = current_;
  ctx->pendingTimers++;
  std::weak_ptr<Worker> weak = weak_from_this();
  auto* raw = timer.get();
  timer->async_wait([weak, id, ctx, raw](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    // A timer cancelled after it expired still runs its handler: check it is still ours.
    auto it = self->timers_.find(id);
    if (it == self->timers_.end() || it->second.timer.get() != raw) return;
    self->timers_.erase(it);
    ctx->pendingTimers--;
    self->enter(ctx, [&](js::Lock& js) { js::callInternal(js, "fireTimer", {js.number(id)}); });
  });
  timers_[id] = Timer{std::move(timer), ctx};
}

void Worker::cancelTimer(uint32_t id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second.timer->cancel();
  it->second.ctx->pendingTimers--;
  timers_.erase(it);
}

void Worker::waitUntil(js::Lock& js, js::Value promise) {
  if (!current_) throw js::Error("waitUntil() can only be called while the Worker handles an event.");
  auto ctx = current_;
  ctx->pendingWaitUntil++;
  Worker* self = this;  // JS reactions run only inside this Worker's isolate, so never after it
  // The reactions run inside some entry's microtask checkpoint; settle this invocation after it.
  auto settled = [self, ctx](js::Lock&, js::Value) {
    ctx->pendingWaitUntil--;
    boost::asio::post(self->ioc_, [weak = self->weak_from_this(), ctx] {
      if (auto w = weak.lock()) w->settle(ctx);
    });
  };
  js::then(js, promise, settled, [self, ctx](js::Lock& js, js::Value error) {
    ctx->pendingWaitUntil--;
    auto e = js.describe(error);
    self->log(api::LogLevel::Error, "Uncaught (in waitUntil) " + (e.stack().empty() ? e.message() : e.stack()));
    boost::asio::post(self->ioc_, [weak = self->weak_from_this(), ctx] {
      if (auto w = weak.lock()) w->settle(ctx);
    });
  });
}

}  // namespace wisp::io
