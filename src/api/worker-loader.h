// The Worker Loader binding (env.LOADER), native half. The API shape (WorkerLoader, WorkerStub,
// Fetcher) lives in js/worker-loader.js; these ops turn its plain data into io types and hand
// them to the runtime through WorkerLoaderHost (io::WorkerLoader implements it).
// https://developers.cloudflare.com/dynamic-workers/api-reference/
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "io/http.h"
#include "io/worker-code.h"
#include "js/lock.h"
#include "js/value.h"

namespace wisp::api {

// `limits` of WorkerCode or of getEntrypoint(): unset members impose nothing.
struct DynamicLimits {
  std::optional<double> cpuMs;
  std::optional<uint32_t> subrequests;
};

class WorkerLoaderHost {
 public:
  virtual ~WorkerLoaderHost() = default;
  // Registers a dynamic Worker (already validated) and starts loading it; returns its id.
  // A named one (`get(name)` of a loader in namespace `ns`) is cached by (ns, name); one without
  // a name (get(null), load()) is unloaded when the current invocation ends, and its stub loads
  // it again if used later. Throws js::JsError for what the runtime refuses (the env size).
  virtual uint64_t loadWorker(io::WorkerCode code, std::string envJson, DynamicLimits limits, std::string ns,
                              std::optional<std::string> name) = 0;
  // False once the Worker is gone (condemned by a limit): the caller loads it again.
  virtual bool workerAlive(uint64_t id) = 0;
  // Delivers `request` to an entrypoint once the Worker has started; returns a promise of
  // [status, statusText, headers: [[name, value]...], body: Uint8Array].
  virtual js::Value fetchWorker(js::Lock& js, uint64_t id, io::HttpRequest request, std::string entrypoint,
                                std::string propsJson, DynamicLimits limits) = 0;
};

// The ops behind js/worker-loader.js (registered on the native `ops` object, see ops.js).
struct WorkerLoaderOps {
  // modules: [[name, kind | null, content: string | Uint8Array], ...] (kind null: a plain string).
  // ns: the loader's namespace; name: undefined for a Worker without a name.
  static double loaderLoad(js::Lock& js, std::string ns, std::optional<std::string> name, std::string mainModule,
                           js::Value modules, std::string envJson, std::optional<double> cpuMs,
                           std::optional<double> subRequests);
  static bool loaderAlive(js::Lock& js, double id);
  // headers: [[name, value], ...]; body: Uint8Array or null.
  static js::Value loaderFetch(js::Lock& js, double id, std::string entrypoint, std::string propsJson,
                               std::optional<double> cpuMs, std::optional<double> subRequests, std::string method,
                               std::string url, js::Value headers, js::Value body);
};

}  // namespace wisp::api
