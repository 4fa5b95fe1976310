#include "io/rpc.h"

#include <boost/asio/post.hpp>

#include "io/failure-error.h"
#include "io/worker-cache.h"
#include "io/worker-instance.h"
#include "io/worker-loader.h"
#include "io/worker.h"
#include "js/error.h"
#include "js/promise.h"

namespace wisp::io {
namespace {

constexpr const char* kCalleeGone = "The Worker this RPC stub refers to is no longer loaded.";

Failure fromException(const js::JsException& e) {
  return {Failure::Kind::Exception, e.name(), e.message(), e.stack(), e.location()};
}


// The caller's side of an answer: the awaitIo `done` once its I/O has started, or the answer
// if it came first.
struct AnswerSlot {
  Worker::IoDone done;
  std::optional<RpcOutcome> early;
  std::vector<std::shared_ptr<void>> held;
};

void deliverTo(const Worker::IoDone& done, RpcOutcome outcome) {
  auto shared = std::make_shared<RpcOutcome>(std::move(outcome));
  done([shared](js::Lock& js) { return rpcAnswer(js, *shared); });
}

RpcOutcome failed(std::string message) {
  return RpcOutcome{false, nullptr, Failure{Failure::Kind::Exception, "Error", std::move(message), "", ""}};
}

}  // namespace

js::Value rpcAnswer(js::Lock& js, const RpcOutcome& outcome) {
  if (outcome.failure) throw toJsError(*outcome.failure);
  return js.array({js.boolean(outcome.ok), api::newPayload(js, outcome.value)});
}

std::pair<js::Value, RpcAnswer> pendingAnswer(js::Lock& js, Worker& caller, std::vector<std::shared_ptr<void>> held) {
  auto slot = std::make_shared<AnswerSlot>();
  slot->held = std::move(held);
  auto promise = caller.awaitIo(js, [slot](Worker::IoDone done) {
    if (slot->early) return deliverTo(done, std::move(*std::exchange(slot->early, std::nullopt)));
    slot->done = std::move(done);
  });
  RpcAnswer answer = [slot](RpcOutcome outcome) {
    slot->held.clear();
    if (slot->done) return deliverTo(std::exchange(slot->done, nullptr), std::move(outcome));
    slot->early = std::move(outcome);
  };
  return {promise, std::move(answer)};
}

void RpcPipelineState::fail(const RpcOutcome& outcome) {
  settled = true;
  auto waiting = std::move(queued);
  queued.clear();
  for (auto& q : waiting) {
    q.pipeline->fail(outcome);
    q.answer(outcome);
  }
}

// ---- references ----

RpcEndpointRef::~RpcEndpointRef() {
  auto* id = std::get_if<uint64_t>(&to_);
  if (!id) return;
  if (auto owner = owner_.lock()) owner->rpcSession().release(*id);
}

// ---- RpcSession ----

RpcSession::RpcSession(Worker& worker, boost::asio::io_context& ioc)
    : worker_(worker), ioc_(ioc), self_(std::make_shared<RpcSession*>(this)) {}

RpcSession::~RpcSession() = default;

std::pair<uint64_t, std::shared_ptr<api::RpcRef>> RpcSession::exportObject() {
  uint64_t id = nextExport_++;
  return {id, std::make_shared<RpcEndpointRef>(worker_.weak_from_this(), id)};
}

std::shared_ptr<api::RpcRef> RpcSession::entrypointRef(std::string name, std::shared_ptr<const api::RpcMessage> props) {
  return std::make_shared<RpcEndpointRef>(worker_.weak_from_this(), RpcEntrypoint{std::move(name), std::move(props), {}});
}

std::shared_ptr<api::RpcPipeline> RpcSession::newPipeline() { return std::make_shared<RpcPipelineState>(); }

js::Value RpcSession::call(js::Lock& js, std::shared_ptr<api::RpcRef> target, api::RpcCall call,
                           std::shared_ptr<api::RpcPipeline> pipeline) {
  auto* ref = dynamic_cast<RpcEndpointRef*>(target.get());
  if (!ref) throw js::Error("internal: not an RPC reference");
  RequestContext* ctx = worker_.currentContext();
  if (!ctx) throw js::Error("RPC calls can only be made while the Worker handles an event.");
  ctx->newSubrequest();
  auto state = std::static_pointer_cast<RpcPipelineState>(pipeline);
  // `target` stays held until the answer: an export is not released under its own call.
  auto [promise, answer] = pendingAnswer(js, worker_, {target});
  // The callee is entered from the top of the loop, never inside this entry.
  boost::asio::post(ioc_, [owner = ref->owner(), to = ref->destination(), call = std::move(call), state,
                           answer = std::move(answer)]() mutable {
    auto callee = owner.lock();
    if (!callee) {
      auto outcome = failed(kCalleeGone);
      state->fail(outcome);
      return answer(outcome);
    }
    callee->call(std::move(to), std::move(call), std::move(answer), std::move(state));
  });
  return promise;
}

std::optional<js::Value> RpcSession::pipelineCall(js::Lock& js, std::shared_ptr<api::RpcPipeline> on, api::RpcCall call,
                                                  std::shared_ptr<api::RpcPipeline> pipeline) {
  auto state = std::static_pointer_cast<RpcPipelineState>(on);
  if (state->settled) return std::nullopt;
  if (!worker_.currentContext()) throw js::Error("RPC calls can only be made while the Worker handles an event.");
  auto [promise, answer] = pendingAnswer(js, worker_);
  // Sent with the call it depends on: it runs when that call's method settles.
  state->queued.push_back({std::move(call), std::static_pointer_cast<RpcPipelineState>(pipeline), std::move(answer)});
  return promise;
}

void RpcSession::breakPipeline(std::shared_ptr<api::RpcPipeline> pipeline, std::shared_ptr<const api::RpcMessage> thrown) {
  std::static_pointer_cast<RpcPipelineState>(pipeline)->fail(RpcOutcome{false, std::move(thrown), std::nullopt});
}

js::Value RpcSession::fetch(js::Lock& js, std::shared_ptr<api::RpcRef> target, HttpRequest request) {
  auto* ref = dynamic_cast<RpcEndpointRef*>(target.get());
  const auto* entrypoint = ref ? std::get_if<RpcEntrypoint>(&ref->destination()) : nullptr;
  if (!entrypoint) throw js::TypeError("This RPC stub has no fetch() method.");
  RequestContext* ctx = worker_.currentContext();
  if (!ctx) throw js::Error("fetch() can only run while the Worker handles an event.");
  ctx->newSubrequest();
  return worker_.awaitIo(js, [owner = ref->owner(), to = *entrypoint, request = std::move(request),
                              target](Worker::IoDone done) mutable {
    auto callee = owner.lock();
    if (!callee) return done([](js::Lock&) -> js::Value { throw js::Error(kCalleeGone); });
    Worker::FetchOptions options;
    options.props = to.props;
    // A new invocation of the entrypoint's fetch handler, as a service binding delivers it; a
    // failure reaches the caller as an Error with its message, as through a service binding.
    callee->fetch(std::move(request), to.name, [done, target](FetchResult r) mutable {
      target.reset();
      if (r.error) return done([message = r.error->message](js::Lock&) -> js::Value { throw js::Error(message); });
      auto response = std::make_shared<HttpResponse>(std::move(*r.response));
      done([response](js::Lock& js) {
        std::vector<js::Value> headers;
        for (auto& [k, v] : response->headers) headers.push_back(js.array({js.string(k), js.string(v)}));
        return js.array({js.number(response->status), js.string(response->statusText), js.array(headers),
                         js.bytes(response->body)});
      });
    }, std::move(options));
  });
}

void RpcSession::adopt(std::weak_ptr<std::shared_ptr<api::RpcRef>> slot) {
  if (const RequestContext* ctx = worker_.currentContext()) adopted_.emplace(ctx, std::move(slot));
}

void RpcSession::invocationFinished(const RequestContext* ctx) {
  auto [begin, end] = adopted_.equal_range(ctx);
  std::vector<std::shared_ptr<api::RpcRef>> dropped;  // released after the map is consistent again
  for (auto it = begin; it != end; ++it) {
    if (auto slot = it->second.lock()) dropped.push_back(std::exchange(*slot, nullptr));
  }
  adopted_.erase(begin, end);
}

void RpcSession::release(uint64_t id) {
  released_.push_back(id);
  if (flushPosted_) return;
  flushPosted_ = true;
  boost::asio::post(ioc_, [weak = std::weak_ptr<RpcSession*>(self_)] {
    if (auto self = weak.lock()) (*self)->flushReleases();
  });
}

void RpcSession::flushReleases() {
  flushPosted_ = false;
  auto ids = std::move(released_);
  released_.clear();
  if (!ids.empty()) worker_.forgetExports(std::move(ids));
}

// ---- delivering a call to a Worker ----

void Worker::call(RpcDestination to, api::RpcCall call, RpcAnswer done, std::shared_ptr<RpcPipelineState> pipeline) {
  Limits limits = options_.limits;
  if (auto* entrypoint = std::get_if<RpcEntrypoint>(&to)) limits = lowerLimits(limits, entrypoint->limits);
  auto ctx = newContext(limits);
  everInvoked_ = true;
  Worker* self = this;  // JS reactions run only inside this Worker's isolate, so never after it
  // Posted, so it runs after the entry that produced the result has added its CPU time.
  auto deliver = [self, done](RpcOutcome outcome) {
    boost::asio::post(self->ioc_, [done, outcome = std::move(outcome)]() mutable { done(std::move(outcome)); });
  };
  expect(ctx, [deliver, pipeline](Failure f) {
    RpcOutcome outcome{false, nullptr, std::move(f)};
    pipeline->fail(outcome);
    deliver(std::move(outcome));
  });
  enter(ctx, [&](js::Lock& js) {
    std::vector<js::Value> path;
    for (auto& name : call.path) path.push_back(js.string(name));
    auto args = call.args ? api::newPayload(js, call.args) : js.undefined();
    js::Value answer;
    if (auto* entrypoint = std::get_if<RpcEntrypoint>(&to)) {
      auto ns = js::Value(modules_->namespaceOf(js, code_.mainModule));
      auto handler = js.property(ns, entrypoint->name);
      if (handler.isUndefined()) {
        throw js::Error(entrypoint->name == "default" ? "Worker has no default entrypoint."
                                                      : "Worker has no such entrypoint: " + entrypoint->name);
      }
      auto props = entrypoint->props ? api::newPayload(js, entrypoint->props) : js.undefined();
      answer = js::callInternal(js, "rpcDispatchEntrypoint",
                                {handler, ns, envFor(js), props, js.array(path), js.boolean(call.get), args});
    } else {
      answer = js::callInternal(js, "rpcDispatchExport",
                                {js.number(static_cast<double>(std::get<uint64_t>(to))), js.array(path),
                                 js.boolean(call.get), args});
    }
    // [ok, RpcPayload, raw result]: the dispatcher turns what the method throws into a value too.
    js::then(js, answer,
             [self, ctx, deliver, pipeline](js::Lock& js, js::Value result) {
               bool ok = js.arrayItem(result, 0).local()->IsTrue();
               auto message = api::takePayload(js, js.arrayItem(result, 1));
               if (self->onFailure_.erase(ctx.get()) == 0) return;
               self->settlePipeline(js, *pipeline, ok, message, js.arrayItem(result, 2));
               deliver(RpcOutcome{ok, std::move(message), std::nullopt});
             },
             [self, ctx](js::Lock& js, js::Value error) { self->fail(ctx, fromException(js.describe(error))); });
  });
}

void Worker::settlePipeline(js::Lock& js, RpcPipelineState& pipeline, bool ok,
                            const std::shared_ptr<const api::RpcMessage>& value, js::Value raw) {
  if (!ok) return pipeline.fail(RpcOutcome{false, value, std::nullopt});
  pipeline.settled = true;
  auto queued = std::move(pipeline.queued);
  pipeline.queued.clear();
  if (queued.empty()) return;
  // The raw result, exported for these calls only: it goes when the last of them is answered.
  auto exported = js::callInternal(js, "rpcPipelineTarget", {raw});
  std::shared_ptr<api::RpcRef> target;
  uint64_t id = 0;
  if (!exported.isUndefined()) {
    target = api::takeExport(js, exported);
    id = std::get<uint64_t>(static_cast<RpcEndpointRef&>(*target).destination());
  }
  for (auto& q : queued) {
    if (!target) {
      // Nothing to call on (a primitive, a Map...): what the callee would say.
      auto name = js.string(q.call.path.empty() ? "(this)" : q.call.path.front());
      RpcOutcome outcome{false, api::takePayload(js, js::callInternal(js, "rpcNotImplemented", {name})), std::nullopt};
      q.pipeline->fail(outcome);
      q.answer(std::move(outcome));
      continue;
    }
    boost::asio::post(ioc_, [weak = weak_from_this(), id, q = std::move(q), target]() mutable {
      auto self = weak.lock();
      if (!self) {
        auto outcome = failed(kCalleeGone);
        q.pipeline->fail(outcome);
        return q.answer(std::move(outcome));
      }
      // The reference is held until the answer.
      auto held = std::make_shared<std::vector<std::shared_ptr<void>>>(std::vector<std::shared_ptr<void>>{target});
      target.reset();
      auto answer = [answer = std::move(q.answer), held](RpcOutcome outcome) mutable {
        held->clear();
        answer(std::move(outcome));
      };
      self->call(id, std::move(q.call), std::move(answer), std::move(q.pipeline));
    });
  }
}

js::Value Worker::envFor(js::Lock& js) {
  // A dynamic Worker's env was structured-cloned: JS reads it once and keeps the object.
  if (options_.env) return js::callInternal(js, "rpcEnv", {api::newPayload(js, options_.env)});
  auto env = js.parseJson(options_.envJson);
  if (!options_.workerLoaders.empty()) {
    std::vector<js::Value> bindings;
    for (auto& b : options_.workerLoaders) bindings.push_back(js.array({js.string(b.binding), js.string(b.ns)}));
    js::callInternal(js, "addWorkerLoaders", {env, js.array(bindings)});
  }
  if (options_.mcpUpstreams) js::callInternal(js, "addMcpUpstreams", {env});
  return env;
}

void Worker::forgetExports(std::vector<uint64_t> ids) {
  if (isolate_->condemned()) return;
  // RpcTarget[Symbol.dispose] may run: user code, so an invocation of its own.
  auto ctx = newContext();
  enter(ctx, [&](js::Lock& js) {
    std::vector<js::Value> list;
    for (auto id : ids) list.push_back(js.number(static_cast<double>(id)));
    js::callInternal(js, "rpcRelease", {js.array(list)});
  });
}

api::RpcHost* Worker::rpc() { return rpc_.get(); }

// ---- a dynamic Worker's entrypoint, through the Worker Loader ----

js::Value WorkerLoader::callWorker(js::Lock& js, uint64_t id, std::string entrypoint,
                                   std::shared_ptr<const api::RpcMessage> props, api::DynamicLimits limits,
                                   api::RpcCall call, std::shared_ptr<api::RpcPipeline> pipeline) {
  auto instance = resolve(id);
  if (!instance) throw js::Error("This dynamic Worker is no longer loaded.");
  cache_->find(handles_[id].key);  // most recently used now
  RequestContext* ctx = host_.currentContext();
  if (!ctx) throw js::Error("RPC calls can only be made while the Worker handles an event.");
  ctx->newSubrequest();
  // Busy from now until answered: the cache never unloads it under this call.
  auto [promise, answer] = pendingAnswer(js, host_, {instance->use()});
  auto state = std::static_pointer_cast<RpcPipelineState>(pipeline);
  RpcEntrypoint to{std::move(entrypoint), std::move(props), limits};
  boost::asio::post(ioc_, [this, host = host_.weak_from_this(), ctx, instance, to = std::move(to), call = std::move(call),
                           state, answer = std::move(answer)]() mutable {
    if (!host.lock()) return;  // the loader went with its host
    admit(ctx, [instance, to = std::move(to), call = std::move(call), state,
                answer = std::move(answer)](std::shared_ptr<void> slot) mutable {
      instance->whenStarted([slot, to = std::move(to), call = std::move(call), state, answer = std::move(answer)](
                                const std::shared_ptr<Worker>& worker, const std::optional<Failure>& failure) mutable {
        if (failure) {
          RpcOutcome outcome{false, nullptr, *failure};
          state->fail(outcome);
          return answer(std::move(outcome));
        }
        // The slot (this invocation's place in line) ends with the answer, even if copies of
        // this callback live on (a JS reaction that never ran keeps its copy until V8 collects it).
        auto held = std::make_shared<std::vector<std::shared_ptr<void>>>(std::vector<std::shared_ptr<void>>{slot});
        slot.reset();
        auto answered = [answer = std::move(answer), held](RpcOutcome outcome) mutable {
          held->clear();
          answer(std::move(outcome));
        };
        worker->call(std::move(to), std::move(call), std::move(answered), std::move(state));
      });
    });
  });
  return promise;
}

}  // namespace wisp::io
