// The built-in API's Workers endpoints (docs/openapi.yaml):
//   PUT    /v1/workers/{id}          upload a module set (+ env, limits); it is loaded and checked
//   GET    /v1/workers/{id}          what is uploaded and where it is loaded
//   DELETE /v1/workers/{id}          forget the upload and unload it (and a `POST /v1/execute`
//                                    Worker cached with that id) on every loop
//   ANY    /v1/workers/{id}/<path>   the HTTP request, forwarded to that Worker's fetch handler
//
// Workers live per event loop, so the uploaded code is kept process-wide (under a mutex) and
// each loop loads its own instance on first use, into that loop's WorkerCache. Each upload has a
// version; an instance loaded from an older one is replaced on its next use, and an upload also
// unloads the older instances on every loop at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "io/limits.h"
#include "io/worker-cache.h"
#include "io/worker-code.h"
#include "server/http-server.h"

namespace wisp::server {

// One event loop's warm Workers, shared by /v1/execute and /v1/workers.
struct ApiLoop {
  ApiLoop(boost::asio::io_context& ioc, std::shared_ptr<io::CacheBudget> budget, double idleSeconds)
      : ioc(ioc), cache(ioc, std::move(budget), idleSeconds) {}
  boost::asio::io_context& ioc;
  io::WorkerCache cache;
};

// Cache keys: an uploaded Worker, and a /v1/execute Worker with an `id`.
std::string uploadedKey(const std::string& id);
std::string executeKey(const std::string& id);

class WorkersApi {
 public:
  // `limits`: the most a Worker may get; `apiToken`: consumed by wisp, never forwarded.
  WorkersApi(std::vector<ApiLoop*> loops, io::Limits limits, std::string apiToken);

  // `id` is valid; `rest` is the path after "/v1/workers/{id}" (with its query), or nullopt
  // for the Worker's own resource.
  void handle(ApiLoop& loop, Request request, const std::string& id, std::optional<std::string> rest,
              Responder responder);

 private:
  struct Upload {
    io::WorkerCode code;
    std::string envJson;
    io::Limits limits;
    uint64_t version = 0;
    std::vector<std::string> moduleNames;
  };

  void upload(ApiLoop& loop, const std::string& id, const std::string& body, Responder responder);
  void describe(ApiLoop& loop, const std::string& id, Responder responder);
  void remove(ApiLoop& loop, const std::string& id, Responder responder);
  void invoke(ApiLoop& loop, const std::string& id, io::HttpRequest request, Responder responder);
  std::shared_ptr<const Upload> find(const std::string& id);
  std::vector<boost::asio::io_context*> iocs() const;

  std::vector<ApiLoop*> loops_;
  io::Limits limits_;
  std::string apiToken_;
  std::mutex mutex_;  // guards uploads_ and nextVersion_ (requests on every loop)
  std::map<std::string, std::shared_ptr<const Upload>> uploads_;
  uint64_t nextVersion_ = 1;
};

}  // namespace wisp::server
