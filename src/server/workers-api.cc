#include "server/workers-api.h"

#include <strings.h>

#include <chrono>

#include "io/worker-instance.h"
#include "server/api-json.h"
#include "server/every-loop.h"
#include "server/hop-by-hop.h"
#include "server/worker-bodies.h"

namespace wisp::server {
namespace {

using nlohmann::json;

double msSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

uint64_t versionOf(const io::WorkerInstance& instance) { return std::stoull(instance.tag()); }

}  // namespace

std::string uploadedKey(const std::string& id) { return "worker:" + id; }
std::string executeKey(const std::string& id) { return "execute:" + id; }

WorkersApi::WorkersApi(std::vector<ApiLoop*> loops, io::Limits limits, std::string apiToken)
    : loops_(std::move(loops)), limits_(limits), apiToken_(std::move(apiToken)) {}

std::vector<boost::asio::io_context*> WorkersApi::iocs() const {
  std::vector<boost::asio::io_context*> out;
  for (auto* l : loops_) out.push_back(&l->ioc);
  return out;
}

std::shared_ptr<const WorkersApi::Upload> WorkersApi::find(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = uploads_.find(id);
  return it == uploads_.end() ? nullptr : it->second;
}

void WorkersApi::handle(ApiLoop& loop, Request request, const std::string& id, std::optional<std::string> rest,
                        Responder responder) {
  if (rest) {
    io::HttpRequest forwarded{request.method, "", {}, ""};
    std::string host = "localhost";
    for (auto& [name, value] : request.headers) {
      if (isHopByHop(name)) continue;
      // The API's own credential is not the Worker's business.
      if (!apiToken_.empty() && strcasecmp(name.c_str(), "authorization") == 0) continue;
      if (strcasecmp(name.c_str(), "host") == 0) host = value;
      forwarded.headers.emplace_back(name, value);
    }
    forwarded.url = "http://" + host + *rest;
    attachRequestBody(request, forwarded);  // read as the Worker reads it
    return invoke(loop, id, std::move(forwarded), std::move(responder));
  }
  if (request.method == "PUT") {
    request.body.readAll([this, &loop, id, responder](std::string body, BodyError error) mutable {
      if (error != BodyError::none) return;
      try {
        upload(loop, id, body, responder);
      } catch (const ApiError& e) {
        sendApiError(responder, e);
      }
    });
    return;
  }
  if (request.method == "GET") return describe(loop, id, std::move(responder));
  if (request.method == "DELETE") return remove(loop, id, std::move(responder));
  sendJsonError(responder, 405, "MethodNotAllowed", "Use GET, PUT or DELETE for /v1/workers/{id}.", "",
                {{"allow", "GET, PUT, DELETE"}});
}

void WorkersApi::upload(ApiLoop& loop, const std::string& id, const std::string& body, Responder responder) {
  json parsed = parseBody(body);
  auto upload = std::make_shared<Upload>();
  upload->code = requestModules(parsed);
  upload->envJson = requestEnv(parsed);
  upload->limits = requestLimits(parsed, limits_);
  for (auto& [name, value] : parsed["modules"].items()) upload->moduleNames.push_back(name);
  {
    std::lock_guard lock(mutex_);
    upload->version = nextVersion_++;
  }
  io::Worker::Options options;
  options.limits = upload->limits;
  options.envJson = upload->envJson;
  auto started = std::chrono::steady_clock::now();
  // Loaded here first, so that an upload that cannot start is refused and changes nothing.
  auto instance = io::WorkerInstance::load(loop.ioc, upload->code, options, std::to_string(upload->version));
  auto use = instance->use();
  instance->whenStarted([this, &loop, id, upload, instance, use, responder, started](
                            const std::shared_ptr<io::Worker>&, const std::optional<io::Failure>& failure) mutable {
    if (failure) return sendJson(responder, 400, {{"error", failureJson(*failure)}});
    bool created = false;
    {
      std::lock_guard lock(mutex_);
      auto& slot = uploads_[id];
      if (slot && slot->version > upload->version) {
        return sendJsonError(responder, 409, "Conflict", "A newer upload of this Worker arrived while this one loaded.");
      }
      created = !slot;
      slot = upload;
    }
    loop.cache.insert(uploadedKey(id), instance);
    // Instances of older uploads go now on every loop, rather than on their next use.
    for (auto* other : loops_) {
      if (other == &loop) continue;
      boost::asio::post(other->ioc, [other, id, version = upload->version] {
        auto old = other->cache.peek(uploadedKey(id));
        if (old && versionOf(*old) < version) other->cache.evict(uploadedKey(id));
      });
    }
    sendJson(responder, created ? 201 : 200,
             {{"id", id},
              {"version", upload->version},
              {"mainModule", upload->code.mainModule},
              {"modules", upload->moduleNames},
              {"stats", {{"coldStart", true}, {"wallMs", msSince(started)}}}});
  });
}

void WorkersApi::describe(ApiLoop& loop, const std::string& id, Responder responder) {
  auto upload = find(id);
  struct Seen {
    bool uploaded = false;  // an instance of the current upload
    bool executed = false;  // a /v1/execute Worker with this id
    uint64_t bytes = 0;
  };
  auto seen = std::make_shared<std::vector<Seen>>(loops_.size());
  uint64_t version = upload ? upload->version : 0;
  onEveryLoop(
      iocs(),
      [this, seen, id, version](size_t i) {
        auto& cache = loops_[i]->cache;
        auto& s = (*seen)[i];
        if (auto w = cache.peek(uploadedKey(id)); w && versionOf(*w) == version) {
          s.uploaded = true;
          s.bytes += cache.memoryBytes(uploadedKey(id));
        }
        if (cache.peek(executeKey(id))) {
          s.executed = true;
          s.bytes += cache.memoryBytes(executeKey(id));
        }
      },
      loop.ioc,
      [seen, id, upload, responder]() mutable {
        int loaded = 0, executed = 0;
        uint64_t bytes = 0;
        for (auto& s : *seen) {
          loaded += s.uploaded;
          executed += s.executed;
          bytes += s.bytes;
        }
        if (!upload && executed == 0)
          return sendJsonError(responder, 404, "NotFound", "No Worker has the id '" + id + "'.");
        json out = {{"id", id}, {"uploaded", upload != nullptr}, {"loadedOn", loaded}, {"executeLoadedOn", executed},
                    {"memoryBytes", bytes}};
        if (upload) {
          out["version"] = upload->version;
          out["mainModule"] = upload->code.mainModule;
          out["modules"] = upload->moduleNames;
        }
        sendJson(responder, 200, out);
      });
}

void WorkersApi::remove(ApiLoop& loop, const std::string& id, Responder responder) {
  bool uploaded = false;
  {
    std::lock_guard lock(mutex_);
    uploaded = uploads_.erase(id) > 0;
  }
  auto unloaded = std::make_shared<std::vector<int>>(loops_.size());
  onEveryLoop(
      iocs(),
      [this, unloaded, id](size_t i) {
        auto& cache = loops_[i]->cache;
        (*unloaded)[i] = int(cache.evict(uploadedKey(id))) + int(cache.evict(executeKey(id)));
      },
      loop.ioc,
      [unloaded, uploaded, id, responder]() mutable {
        int total = 0;
        for (int n : *unloaded) total += n;
        if (!uploaded && total == 0) return sendJsonError(responder, 404, "NotFound", "No Worker has the id '" + id + "'.");
        sendJson(responder, 200, {{"id", id}, {"deleted", uploaded}, {"unloaded", total}});
      });
}

void WorkersApi::invoke(ApiLoop& loop, const std::string& id, io::HttpRequest request, Responder responder) {
  auto upload = find(id);
  if (!upload) return sendJsonError(responder, 404, "NotFound", "No Worker was uploaded with the id '" + id + "'.");
  auto key = uploadedKey(id);
  auto instance = loop.cache.find(key);
  if (!instance || versionOf(*instance) != upload->version || instance->condemned()) {
    io::Worker::Options options;
    options.limits = upload->limits;
    options.envJson = upload->envJson;
    instance = io::WorkerInstance::load(loop.ioc, upload->code, options, std::to_string(upload->version));
    loop.cache.insert(key, instance);
  }
  auto use = instance->use();
  instance->whenStarted([&loop, key, raw = instance.get(), use, request = std::move(request), responder](
                            const std::shared_ptr<io::Worker>& worker, const std::optional<io::Failure>& failure) mutable {
    if (failure) {
      if (loop.cache.peek(key).get() == raw) loop.cache.evict(key);  // a later request tries again
      return sendJson(responder, 500, {{"error", failureJson(*failure)}});
    }
    // The use ends with the answer, even if copies of the callback live on in JS reactions.
    auto held = std::make_shared<std::shared_ptr<void>>(std::move(use));
    io::Worker::FetchOptions options;
    options.streamResponse = true;  // the body is written as the Worker produces it
    worker->fetch(
        std::move(request), "default",
        [held, &ioc = loop.ioc, responder](io::FetchResult r) mutable {
          boost::asio::post(ioc, [gone = std::move(*held)] {});
          if (r.error) return sendJson(responder, 500, {{"error", failureJson(*r.error)}, {"logs", logsJson(r.logs)}});
          sendResponse(responder, std::move(*r.response));
        },
        std::move(options));
  });
}

}  // namespace wisp::server
