#include "io/worker-loader.h"

#include <algorithm>
#include <vector>

#include <boost/asio/post.hpp>

#include "io/worker-cache.h"
#include "io/worker-instance.h"
#include "io/worker.h"
#include "js/error.h"

namespace wisp::io {
namespace {

// A dynamic Worker's failure, as the error its caller's promise rejects with (message kept).
js::JsError toJsError(const Failure& f) {
  if (f.kind == Failure::Kind::Exception) {
    if (f.name == "TypeError") return js::TypeError(f.message);
    if (f.name == "RangeError") return js::RangeError(f.message);
    if (f.name == "SyntaxError") return js::SyntaxError(f.message);
  }
  return js::Error(f.message);
}

Worker::IoResult rejectWith(const Failure& f) {
  return [f](js::Lock&) -> js::Value { throw toJsError(f); };
}

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
    : host_(host), ioc_(ioc), serverLimits_(serverLimits), onLog_(std::move(onLog)), settings_(std::move(settings)) {
  if (!settings_.budget) settings_.budget = std::make_shared<CacheBudget>(uint64_t{1} << 30, 10'000);
  if (settings_.maxConcurrentPerRequest == 0) settings_.maxConcurrentPerRequest = 1;
  // The cache dropped a named Worker (room, idleness, evict): its handle goes with it, so the
  // binding's next call loads it again.
  cache_ = std::make_unique<WorkerCache>(ioc, settings_.budget, settings_.idleSeconds, [this](const std::string& key) {
    auto it = idOfKey_.find(key);
    if (it == idOfKey_.end()) return;
    handles_.erase(it->second);
    idOfKey_.erase(it);
  });
}

WorkerLoader::~WorkerLoader() = default;

uint64_t WorkerLoader::loadWorker(WorkerCode code, std::string envJson, api::DynamicLimits limits, std::string ns,
                                  std::optional<std::string> name) {
  if (envJson.size() > kMaxEnvSize) {
    throw js::Error("Dynamic Worker env size (" + std::to_string(envJson.size()) +
                    " bytes) exceeds the maximum allowed size of " + std::to_string(kMaxEnvSize) + " bytes.");
  }
  Worker::Options options;
  options.limits = lowerLimits(serverLimits_, limits);
  options.envJson = std::move(envJson);
  options.onLog = onLog_;
  auto instance = WorkerInstance::load(ioc_, std::move(code), std::move(options));
  uint64_t id = nextId_++;
  Handle handle;
  if (name) {
    handle.key = loaderCacheKey(ns, *name);
    handle.named = instance;
    // Replacing the key's previous handle (a condemned Worker being loaded again).
    if (auto old = idOfKey_.find(handle.key); old != idOfKey_.end()) handles_.erase(old->second);
    idOfKey_[handle.key] = id;
    handles_[id] = std::move(handle);
    cache_->insert(loaderCacheKey(ns, *name), std::move(instance));
  } else {
    handle.unnamed = std::move(instance);
    handle.owner = host_.currentContext();
    handles_[id] = std::move(handle);
  }
  return id;
}

std::shared_ptr<WorkerInstance> WorkerLoader::resolve(uint64_t id) {
  auto it = handles_.find(id);
  if (it == handles_.end()) return nullptr;
  return it->second.unnamed ? it->second.unnamed : it->second.named.lock();
}

bool WorkerLoader::workerAlive(uint64_t id) {
  auto instance = resolve(id);
  if (!instance) {
    handles_.erase(id);
    return false;
  }
  if (!instance->condemned()) return true;
  // A limit condemned it: the next load starts afresh.
  auto& handle = handles_[id];
  if (handle.unnamed) {
    boost::asio::post(ioc_, [gone = std::move(handle.unnamed)] {});
    handles_.erase(id);
  } else {
    std::string key = handle.key;  // evicting drops the handle too
    cache_->evict(key);
  }
  return false;
}

void WorkerLoader::invocationFinished(const RequestContext* ctx) {
  lines_.erase(ctx);
  std::vector<std::shared_ptr<WorkerInstance>> unloaded;
  for (auto it = handles_.begin(); it != handles_.end();) {
    if (it->second.unnamed && it->second.owner == ctx) {
      unloaded.push_back(std::move(it->second.unnamed));
      it = handles_.erase(it);
    } else {
      ++it;
    }
  }
  // Destroyed at the top of the loop, outside whatever entry is finishing.
  if (!unloaded.empty()) boost::asio::post(ioc_, [unloaded = std::move(unloaded)] {});
}

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
                                    std::string propsJson, api::DynamicLimits limits) {
  auto instance = resolve(id);
  if (!instance) throw js::Error("This dynamic Worker is no longer loaded.");
  if (auto& handle = handles_[id]; !handle.unnamed) cache_->find(handle.key);  // most recently used now
  // Busy from now until answered: the cache never unloads it under this call.
  auto use = instance->use();
  const RequestContext* ctx = host_.currentContext();
  return host_.awaitIo(js, [this, ctx, instance, use, request = std::move(request), entrypoint = std::move(entrypoint),
                            propsJson = std::move(propsJson), limits](Worker::IoDone done) mutable {
    admit(ctx, [instance, use, request = std::move(request), entrypoint = std::move(entrypoint),
                propsJson = std::move(propsJson), limits, done](std::shared_ptr<void> slot) mutable {
      instance->whenStarted([use, slot, request = std::move(request), entrypoint = std::move(entrypoint),
                             propsJson = std::move(propsJson), limits,
                             done](const std::shared_ptr<Worker>& worker, const std::optional<Failure>& failure) mutable {
        if (failure) return done(rejectWith(*failure));
        Worker::FetchOptions options;
        options.propsJson = std::move(propsJson);
        options.limits = limits;
        // The use and the slot end when the answer is back, even if copies of this callback live
        // on (a JS reaction that never ran keeps its copy until V8 collects it).
        auto held = std::make_shared<std::vector<std::shared_ptr<void>>>(std::vector<std::shared_ptr<void>>{use, slot});
        use.reset();
        slot.reset();
        worker->fetch(std::move(request), entrypoint, [held, done](FetchResult r) {
          held->clear();
          if (r.error) return done(rejectWith(*r.error));
          auto result = std::make_shared<FetchResult>(std::move(r));
          done([result](js::Lock& js) {
            auto& response = *result->response;
            std::vector<js::Value> headers;
            for (auto& [k, v] : response.headers) headers.push_back(js.array({js.string(k), js.string(v)}));
            // The invocation's trace, for the host's tail Workers (js/worker-loader.js).
            std::vector<js::Value> logs;
            for (auto& l : result->logs)
              logs.push_back(js.array({js.string(api::logLevelName(l.level)), js.number(l.timeMs), js.string(l.message)}));
            return js.array({js.number(response.status), js.string(response.statusText), js.array(headers),
                             js.bytes(response.body), js.array(logs), js.number(result->stats.cpuMs),
                             js.number(result->stats.wallMs)});
          });
        }, std::move(options));
      });
    });
  });
}

}  // namespace wisp::io
