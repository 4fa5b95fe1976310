#include "io/worker-loader.h"

#include <algorithm>
#include <vector>

#include <boost/asio/post.hpp>

#include "io/failure-error.h"
#include "io/worker-cache.h"
#include "io/worker-instance.h"
#include "io/worker.h"
#include "js/error.h"

namespace wisp::io {
namespace {

Worker::IoResult rejectWith(const Failure& f) {
  return [f](js::Lock&) -> js::Value { throw toJsError(f); };
}

// A Worker that could not start, as workerd reports it to the caller: an Error whose message is
// "Failed to start Worker:\nUncaught <name>: <message>\n  at <file:line:column>". A limit (the
// top level ran out of CPU time) keeps its own words.
Failure startFailure(const Failure& f) {
  if (f.kind != Failure::Kind::Exception) return f;
  std::string text = "Failed to start Worker:\nUncaught ";
  if (!f.name.empty()) text += f.name + ": ";
  text += f.message;
  if (!f.location.empty()) text += "\n  at " + f.location;
  return {Failure::Kind::Exception, "Error", std::move(text), "", ""};
}

// One invocation's console messages, for the host's tail Workers: [[level, timeMs, message], ...].
js::Value logsOf(js::Lock& js, const std::vector<LogEntry>& entries) {
  std::vector<js::Value> logs;
  for (auto& l : entries)
    logs.push_back(js.array({js.string(api::logLevelName(l.level)), js.number(l.timeMs), js.string(l.message)}));
  return js.array(logs);
}

// The cache key of unnamed Worker `id` (named keys start with their namespace, never with '\0').
std::string unnamedCacheKey(uint64_t id) { return std::string("\0unnamed\0", 9) + std::to_string(id); }

}  // namespace

Limits lowerLimits(Limits base, const api::DynamicLimits& limits) {
  if (limits.cpuMs) base.cpuMs = std::min(base.cpuMs, *limits.cpuMs);
  if (limits.subrequests) base.subrequests = std::min(base.subrequests, *limits.subrequests);
  return base;
}

std::string loaderCacheKey(const std::string& ns, const std::string& name) {
  std::string key = ns;
  key += '\0';
  key += name;
  return key;
}

WorkerLoader::WorkerLoader(Worker& host, boost::asio::io_context& ioc, Limits serverLimits,
                           std::function<void(const LogEntry&)> onLog, LoaderSettings settings)
    : host_(host),
      ioc_(ioc),
      serverLimits_(serverLimits),
      onLog_(std::move(onLog)),
      settings_(std::move(settings)),
      self_(std::make_shared<WorkerLoader*>(this)) {
  if (!settings_.budget) settings_.budget = std::make_shared<CacheBudget>(uint64_t{1} << 30, 10'000);
  if (settings_.maxConcurrentPerRequest == 0) settings_.maxConcurrentPerRequest = 1;
  // The cache dropped a Worker (room, idleness, evict, release): its handle goes with it, so the
  // binding's next call loads it again.
  cache_ = std::make_unique<WorkerCache>(ioc, settings_.budget, settings_.idleSeconds, [this](const std::string& key) {
    auto it = idOfKey_.find(key);
    if (it == idOfKey_.end()) return;
    handles_.erase(it->second);
    idOfKey_.erase(it);
  });
}

WorkerLoader::~WorkerLoader() = default;

uint64_t WorkerLoader::loadWorker(WorkerCode code, std::shared_ptr<const api::RpcMessage> env, api::DynamicLimits limits, std::string ns,
                                  std::optional<std::string> name, api::DynamicOutbound outbound) {
  // Measured as workerd measures it: the env's V8 serialization.
  if (env->bytes.size() > kMaxEnvSize) {
    throw js::Error("Dynamic Worker env size (" + std::to_string(env->bytes.size()) +
                    " bytes) exceeds the maximum allowed size of " + std::to_string(kMaxEnvSize) + " bytes.");
  }
  Worker::Options options;
  options.limits = lowerLimits(serverLimits_, limits);
  options.env = std::move(env);
  options.onLog = onLog_;
  switch (outbound.kind) {
    case api::DynamicOutbound::Kind::Inherit:
      options.outbound = host_.outboundSettings();  // what the host's own fetch() has
      break;
    case api::DynamicOutbound::Kind::Blocked:
      break;
    case api::DynamicOutbound::Kind::Entrypoint:
      options.outboundEntrypoint =
          OutboundEntrypoint{host_.weak_from_this(), std::move(outbound.entrypoint), std::move(outbound.props)};
      break;
  }
  auto instance = WorkerInstance::load(ioc_, std::move(code), std::move(options));
  uint64_t id = nextId_++;
  Handle handle;
  handle.named = name.has_value();
  handle.key = name ? loaderCacheKey(ns, *name) : unnamedCacheKey(id);
  handle.instance = instance;
  std::string key = handle.key;
  // Replacing the key's previous handle (a condemned Worker being loaded again).
  if (auto old = idOfKey_.find(key); old != idOfKey_.end()) handles_.erase(old->second);
  idOfKey_[key] = id;
  handles_[id] = std::move(handle);
  cache_->insert(key, std::move(instance));
  return id;
}

std::function<void()> WorkerLoader::releaserOf(uint64_t id) {
  return [weak = std::weak_ptr<WorkerLoader*>(self_), id] {
    auto self = weak.lock();
    if (!self) return;  // the host and its dynamic Workers are gone already
    // Called while V8 collects the host's garbage: unload from the top of the loop instead.
    boost::asio::post((*self)->ioc_, [weak, id] {
      if (auto self = weak.lock()) (*self)->release(id);
    });
  };
}

void WorkerLoader::release(uint64_t id) {
  auto it = handles_.find(id);
  if (it == handles_.end() || it->second.named) return;
  std::string key = it->second.key;
  cache_->evict(key);  // drops the handle too
}

std::shared_ptr<WorkerInstance> WorkerLoader::resolve(uint64_t id) {
  auto it = handles_.find(id);
  if (it == handles_.end()) return nullptr;
  return it->second.instance.lock();
}

bool WorkerLoader::workerAlive(uint64_t id) {
  auto instance = resolve(id);
  if (!instance) {
    handles_.erase(id);
    return false;
  }
  if (!instance->condemned()) return true;
  // A limit condemned it: the next load starts afresh.
  std::string key = handles_[id].key;
  cache_->evict(key);  // drops the handle too
  return false;
}

void WorkerLoader::invocationFinished(const RequestContext* ctx) { lines_.erase(ctx); }

bool WorkerLoader::evict(const std::string& ns, const std::string& name) {
  return cache_->evict(loaderCacheKey(ns, name));
}

std::optional<uint64_t> WorkerLoader::loadedBytes(const std::string& ns, const std::string& name) const {
  auto key = loaderCacheKey(ns, name);
  if (!cache_->peek(key)) return std::nullopt;
  return cache_->memoryBytes(key);
}

std::shared_ptr<void> WorkerLoader::takeSlot(const std::shared_ptr<CallLine>& line) {
  line->running++;
  // Freed when the call's last holder lets go: the next call in line (if any) starts then.
  return std::shared_ptr<void>(nullptr, [this, weak = std::weak_ptr<CallLine>(line)](void*) {
    auto line = weak.lock();
    if (!line) return;  // the invocation is over (and the loader may be gone with it)
    line->running--;
    if (line->waiting.empty()) return;
    auto next = std::move(line->waiting.front());
    line->waiting.pop_front();
    boost::asio::post(ioc_, [next = std::move(next), slot = takeSlot(line)]() mutable { next(std::move(slot)); });
  });
}

void WorkerLoader::admit(const RequestContext* ctx, std::function<void(std::shared_ptr<void> slot)> call) {
  auto& line = lines_[ctx];
  if (!line) line = std::make_shared<CallLine>();
  if (line->running < settings_.maxConcurrentPerRequest) return call(takeSlot(line));
  line->waiting.push_back(std::move(call));
}

js::Value WorkerLoader::fetchWorker(js::Lock& js, uint64_t id, HttpRequest request, std::string entrypoint,
                                    std::shared_ptr<const api::RpcMessage> props, api::DynamicLimits limits) {
  auto instance = resolve(id);
  if (!instance) throw js::Error("This dynamic Worker is no longer loaded.");
  cache_->find(handles_[id].key);  // most recently used now
  // Busy from now until answered: the cache never unloads it under this call.
  auto use = instance->use();
  const RequestContext* ctx = host_.currentContext();
  return host_.awaitIo(js, [this, ctx, instance, use, request = std::move(request), entrypoint = std::move(entrypoint),
                            props = std::move(props), limits](Worker::IoDone done) mutable {
    admit(ctx, [instance, use, request = std::move(request), entrypoint = std::move(entrypoint),
                props = std::move(props), limits, done](std::shared_ptr<void> slot) mutable {
      instance->whenStarted([use, slot, request = std::move(request), entrypoint = std::move(entrypoint),
                             props = std::move(props), limits,
                             done](const std::shared_ptr<Worker>& worker, const std::optional<Failure>& failure) mutable {
        if (failure) return done(rejectWith(startFailure(*failure)));
        Worker::FetchOptions options;
        options.props = std::move(props);
        options.limits = limits;
        // The use and the slot end when the answer is back, even if copies of this callback live
        // on (a JS reaction that never ran keeps its copy until V8 collects it).
        auto held = std::make_shared<std::vector<std::shared_ptr<void>>>(std::vector<std::shared_ptr<void>>{use, slot});
        use.reset();
        slot.reset();
        worker->fetch(std::move(request), entrypoint, [held, done](FetchResult r) {
          held->clear();
          auto result = std::make_shared<FetchResult>(std::move(r));
          done([result](js::Lock& js) {
            // With the invocation's trace, for the host's tail Workers (js/worker-loader.js). A
            // failed invocation resolves too, so that its logs up to the failure get there.
            auto trace = {logsOf(js, result->logs), js.number(result->stats.cpuMs), js.number(result->stats.wallMs)};
            if (result->error) {
              std::vector<js::Value> failed{js.error(toJsError(*result->error))};
              failed.insert(failed.end(), trace);
              return js.array(failed);
            }
            auto& response = *result->response;
            std::vector<js::Value> headers;
            for (auto& [k, v] : response.headers) headers.push_back(js.array({js.string(k), js.string(v)}));
            std::vector<js::Value> answer{js.number(response.status), js.string(response.statusText),
                                          js.array(headers), js.bytes(response.body)};
            answer.insert(answer.end(), trace);
            return js.array(answer);
          });
        }, std::move(options));
      });
    });
  });
}

}  // namespace wisp::io
