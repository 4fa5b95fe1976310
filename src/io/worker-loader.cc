#include "io/worker-loader.h"

#include <algorithm>
#include <chrono>

#include <algorithm>

#include <boost/asio/post.hpp>

#include "io/worker.h"
#include "js/error.h"

namespace wisp::io {

struct WorkerLoader::Entry {
  std::shared_ptr<Worker> worker;
  bool started = false;
  std::optional<Failure> failure;        // the start failed (top-level throw): every request gets it
  std::vector<std::function<void()>> waiting;  // requests made while it starts
  const RequestContext* owner = nullptr;  // for a transient Worker: the invocation it lives for
  bool transient = false;
  std::chrono::steady_clock::time_point lastUsed = std::chrono::steady_clock::now();

  // Unloaded while requests still wait for its start: they fail rather than hang.
  ~Entry() {
    for (auto& w : waiting) w();
  }
};

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

}  // namespace

Limits lowerLimits(Limits base, const api::DynamicLimits& limits) {
  if (limits.cpuMs) base.cpuMs = std::min(base.cpuMs, *limits.cpuMs);
  if (limits.subrequests) base.subrequests = std::min(base.subrequests, *limits.subrequests);
  return base;
}

WorkerLoader::WorkerLoader(Worker& host, boost::asio::io_context& ioc, Limits serverLimits,
                           std::function<void(const LogEntry&)> onLog, LoaderCache cache)
    : host_(host), ioc_(ioc), serverLimits_(serverLimits), onLog_(std::move(onLog)), cache_(cache), idleSweep_(ioc) {
  armIdleSweep();
}

WorkerLoader::~WorkerLoader() { idleSweep_.cancel(); }

void WorkerLoader::evictBeyondCount() {
  size_t named = 0;
  for (auto& [id, e] : workers_) named += e->transient ? 0 : 1;
  while (named > cache_.maxWorkers) {
    auto oldest = workers_.end();
    for (auto it = workers_.begin(); it != workers_.end(); ++it) {
      if (!it->second->transient && (oldest == workers_.end() || it->second->lastUsed < oldest->second->lastUsed))
        oldest = it;
    }
    if (oldest == workers_.end()) break;
    // Destroyed at the top of the loop, outside the entry into JS that is loading a Worker.
    boost::asio::post(ioc_, [gone = std::move(oldest->second)] {});
    workers_.erase(oldest);
    named--;
  }
}

void WorkerLoader::armIdleSweep() {
  if (cache_.idleSeconds <= 0) return;
  auto period = std::chrono::duration<double>(std::clamp(cache_.idleSeconds / 4, 0.05, 30.0));
  idleSweep_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(period));
  idleSweep_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the loader is going away
    sweepIdle();
    armIdleSweep();
  });
}

void WorkerLoader::sweepIdle() {
  auto cutoff = std::chrono::steady_clock::now() -
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(cache_.idleSeconds));
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (!it->second->transient && it->second->lastUsed < cutoff) {
      it = workers_.erase(it);  // requests in flight hold the entry until they are answered
    } else {
      ++it;
    }
  }
}

uint64_t WorkerLoader::loadWorker(WorkerCode code, std::string envJson, api::DynamicLimits limits, bool transient) {
  if (envJson.size() > kMaxEnvSize) {
    throw js::Error("Dynamic Worker env size (" + std::to_string(envJson.size()) +
                    " bytes) exceeds the maximum allowed size of " + std::to_string(kMaxEnvSize) + " bytes.");
  }
  Worker::Options options;
  options.limits = lowerLimits(serverLimits_, limits);
  options.envJson = std::move(envJson);
  options.onLog = onLog_;
  auto entry = std::make_shared<Entry>();
  entry->transient = transient;
  if (transient) entry->owner = host_.currentContext();
  uint64_t id = nextId_++;
  workers_[id] = entry;
  if (!transient) evictBeyondCount();
  // Created and started after the host's current entry into JS: one isolate at a time.
  boost::asio::post(ioc_, [&ioc = ioc_, alive = std::weak_ptr<Entry>(entry), code = std::move(code),
                           options = std::move(options)]() mutable {
    auto entry = alive.lock();
    if (!entry) return;  // unloaded before it was created
    try {
      entry->worker = Worker::create(ioc, std::move(code), std::move(options));
    } catch (const std::exception& e) {
      entry->failure = Failure{Failure::Kind::Exception, "Error", e.what(), "", ""};
      entry->started = true;
      for (auto& w : std::exchange(entry->waiting, {})) w();
      return;
    }
    entry->worker->start([weak = std::weak_ptr<Entry>(entry)](std::optional<Failure> failure) {
      auto entry = weak.lock();
      if (!entry) return;
      entry->started = true;
      entry->failure = std::move(failure);
      for (auto& w : std::exchange(entry->waiting, {})) w();
    });
  });
  return id;
}

void WorkerLoader::invocationFinished(const RequestContext* ctx) {
  std::vector<std::shared_ptr<Entry>> unloaded;
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->second->owner == ctx) {
      unloaded.push_back(std::move(it->second));
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
  // Destroyed at the top of the loop, outside whatever entry is finishing.
  if (!unloaded.empty()) boost::asio::post(ioc_, [unloaded = std::move(unloaded)] {});
}

bool WorkerLoader::workerAlive(uint64_t id) {
  auto it = workers_.find(id);
  if (it == workers_.end()) return false;
  auto& entry = *it->second;
  if (entry.worker && entry.worker->condemned()) {
    workers_.erase(it);  // a limit condemned it: the next load starts afresh
    return false;
  }
  return true;
}

js::Value WorkerLoader::fetchWorker(js::Lock& js, uint64_t id, HttpRequest request, std::string entrypoint,
                                    std::string propsJson, api::DynamicLimits limits) {
  auto it = workers_.find(id);
  if (it == workers_.end()) throw js::Error("This dynamic Worker is no longer loaded.");
  std::shared_ptr<Entry> entry = it->second;
  entry->lastUsed = std::chrono::steady_clock::now();
  return host_.awaitIo(js, [entry, request = std::move(request), entrypoint = std::move(entrypoint),
                            propsJson = std::move(propsJson), limits](Worker::IoDone done) mutable {
    // Weak: a request waiting in entry->waiting must not keep its own entry alive.
    auto deliver = [weak = std::weak_ptr<Entry>(entry), request = std::move(request),
                    entrypoint = std::move(entrypoint), propsJson = std::move(propsJson), limits, done]() mutable {
      auto entry = weak.lock();
      if (!entry) return done([](js::Lock&) -> js::Value { throw js::Error("The dynamic Worker was unloaded."); });
      if (entry->failure) {
        Failure f = *entry->failure;
        return done([f](js::Lock&) -> js::Value { throw toJsError(f); });
      }
      Worker::FetchOptions options;
      options.propsJson = std::move(propsJson);
      options.limits = limits;
      // The request holds the Worker: unloading it waits until the answer is back.
      entry->worker->fetch(std::move(request), entrypoint, [entry, done](FetchResult r) {
        if (r.error) {
          Failure f = *r.error;
          return done([f](js::Lock&) -> js::Value { throw toJsError(f); });
        }
        auto response = std::make_shared<HttpResponse>(std::move(*r.response));
        done([response](js::Lock& js) {
          std::vector<js::Value> headers;
          for (auto& [k, v] : response->headers) headers.push_back(js.array({js.string(k), js.string(v)}));
          return js.array({js.number(response->status), js.string(response->statusText), js.array(headers),
                           js.bytes(response->body)});
        });
      }, std::move(options));
    };
    if (entry->started) deliver();
    else entry->waiting.push_back(std::move(deliver));
  });
}

}  // namespace wisp::io
