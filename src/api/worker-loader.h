// The Worker Loader binding (env.LOADER), native half. The API shape (WorkerLoader, WorkerStub,
// Fetcher) lives in js/worker-loader.js; these ops turn its plain data into io types and hand
// them to the runtime through WorkerLoaderHost (io::WorkerLoader implements it).
// https://developers.cloudflare.com/dynamic-workers/api-reference/
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "api/rpc.h"
#include "io/http.h"
#include "io/worker-code.h"
#include "js/class.h"
#include "js/lock.h"
#include "js/value.h"

namespace wisp::api {

// `limits` of WorkerCode or of getEntrypoint(): unset members impose nothing.
struct DynamicLimits {
  std::optional<double> cpuMs;
  std::optional<uint32_t> subrequests;
};

// WorkerCode.globalOutbound: omitted (the host's own outbound: the network under the server's
// egress policy, or none), null (fetch() and connect() throw), or an entrypoint of the host
// (ctx.exports.Name or ctx.exports.Name({props})) that receives every fetch() as a Request.
struct DynamicOutbound {
  enum class Kind { Inherit, Blocked, Entrypoint } kind = Kind::Inherit;
  std::string entrypoint;                    // Entrypoint: "default" or a named export of the host
  std::shared_ptr<const RpcMessage> props;  // Entrypoint: its ctx.props, structured-cloned (null: none)
};

class WorkerLoaderHost {
 public:
  virtual ~WorkerLoaderHost() = default;
  // Registers a dynamic Worker (already validated) and starts loading it; returns its id.
  // A named one (`get(name)` of a loader in namespace `ns`) is cached by (ns, name); one without
  // a name (get(null), load()) lives while its stubs hold its lease (releaserOf) or a request on
  // it is in flight. Either kind may be unloaded for room or idleness, and its stub loads it
  // again if used later. Throws js::JsError for what the runtime refuses (the env size).
  // `env`: structured-cloned (RpcOps::rpcSerialize).
  virtual uint64_t loadWorker(io::WorkerCode code, std::shared_ptr<const RpcMessage> env, DynamicLimits limits, std::string ns,
                              std::optional<std::string> name, DynamicOutbound outbound) = 0;
  // For an unnamed Worker: what unloads it. Its JS stubs hold it in a WorkerLease, and V8
  // collecting the lease calls it, so it must not run JS (it schedules the unload on the loop).
  // Requests in flight on the Worker finish first. A no-op once the loader is gone.
  virtual std::function<void()> releaserOf(uint64_t id) = 0;
  // False once the Worker is gone (condemned by a limit): the caller loads it again.
  virtual bool workerAlive(uint64_t id) = 0;
  // Delivers `request` to an entrypoint once the Worker has started; returns a promise of
  // [status, statusText, headers: [[name, value]...], body: Uint8Array].
  // `props`: structured-cloned (null: none).
  virtual js::Value fetchWorker(js::Lock& js, uint64_t id, io::HttpRequest request, std::string entrypoint,
                                std::shared_ptr<const RpcMessage> props, DynamicLimits limits) = 0;
  // Delivers an RPC call to an entrypoint once the Worker has started (io/rpc.h); returns a
  // promise of [ok, RpcPayload].
  virtual js::Value callWorker(js::Lock& js, uint64_t id, std::string entrypoint, std::shared_ptr<const RpcMessage> props,
                               DynamicLimits limits, RpcCall call, std::shared_ptr<RpcPipeline> pipeline) = 0;
};

// Held by the JS stubs (the WorkerStub and its Fetchers) of one unnamed dynamic Worker: once V8
// collects it, no stub can reach the Worker any more and the runtime unloads it.
class WorkerLease : public js::Object {
 public:
  explicit WorkerLease(std::function<void()> release) : release_(std::move(release)) {}
  ~WorkerLease() override {
    if (release_) release_();
  }
  static void define(js::ClassBuilder<WorkerLease>&) {}

 private:
  std::function<void()> release_;
};

// The ops behind js/worker-loader.js (registered on the native `ops` object, see ops.js).
struct WorkerLoaderOps {
  // modules: [[name, kind | null, content: string | Uint8Array], ...] (kind null: a plain string).
  // ns: the loader's namespace; name: undefined for a Worker without a name.
  // outbound: undefined (the host's), null (blocked) or [entrypoint, props: an RpcPayload or
  // undefined] (DynamicOutbound).
  static double loaderLoad(js::Lock& js, std::string ns, std::optional<std::string> name, std::string mainModule,
                           js::Value modules, js::Value env, std::optional<double> cpuMs,
                           std::optional<double> subRequests, js::Value outbound, js::Value compatibility);
  // The lease the stubs of unnamed Worker `id` hold (WorkerLease).
  static js::Ref<WorkerLease> loaderHold(js::Lock& js, double id);
  static bool loaderAlive(js::Lock& js, double id);
  // props: an RpcPayload or undefined; headers: [[name, value], ...]; body: Uint8Array or null.
  static js::Value loaderFetch(js::Lock& js, double id, std::string entrypoint, js::Value props,
                               std::optional<double> cpuMs, std::optional<double> subRequests, std::string method,
                               std::string url, js::Value headers, js::Value body);
  // An RPC call on entrypoint `entrypoint` (props: an RpcPayload or undefined) -> Promise<[ok, RpcPayload]>;
  // path: property names, get: read instead of call; args: an RpcPayload or undefined.
  static js::Value loaderCall(js::Lock& js, double id, std::string entrypoint, js::Value props,
                              std::optional<double> cpuMs, std::optional<double> subRequests,
                              std::vector<std::string> path, bool get, js::Value args,
                              js::Ref<RpcPipelineHandle> pipeline);
};

}  // namespace wisp::api
