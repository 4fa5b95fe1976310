// The admin listener (wisp.admin.listen, off by default): operations on the server itself, on an
// address of their own so that they take no path from the user's host Worker. See
// docs/config.md ("Admin listener").
//   DELETE /v1/loaders/{binding}/workers/{name}  unload that named dynamic Worker, on every loop
//   GET    /v1/loaders/{binding}/workers/{name}  where it is loaded and its memory
//   GET    /v1/cache                             cached Workers and memory, against the limits
// `binding` is a `worker_loaders` binding of the config; `name` is the name given to
// `env.LOADER.get(name, ...)`, percent-encoded. The token rule is the built-in API's.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "io/worker-cache.h"
#include "io/worker-loader.h"
#include "server/http-server.h"

namespace wisp::server {

// The host Workers' side: one WorkerLoader per event loop.
class LoaderDirectory {
 public:
  virtual ~LoaderDirectory() = default;
  virtual size_t loopCount() const = 0;
  // Runs `each(i, loader)` on loop i with that loop's loader (null while its host Worker has not
  // started), for every loop; then `done()` on `origin`.
  virtual void forEachLoader(std::function<void(size_t i, io::WorkerLoader* loader)> each,
                             boost::asio::io_context& origin, std::function<void()> done) = 0;
};

struct AdminApiOptions {
  std::string apiToken;
  std::shared_ptr<io::CacheBudget> budget;
  std::map<std::string, std::string> loaderNamespaces;  // binding -> loader namespace
  LoaderDirectory* loaders = nullptr;                   // null: no host Worker (built-in API)
};

class AdminApi {
 public:
  explicit AdminApi(AdminApiOptions options) : options_(std::move(options)) {}
  void handle(Request request, Responder responder);

 private:
  void namedWorker(Request& request, const std::string& binding, const std::string& name, Responder responder);
  AdminApiOptions options_;
};

}  // namespace wisp::server
