#include "api/worker-loader.h"

#include <cmath>

#include "api/host.h"
#include "io/compatibility.h"
#include "js/error.h"

namespace wisp::api {
namespace {

WorkerLoaderHost& loaderHost(js::Lock& js) {
  auto* host = Host::current(js).workerLoader();
  if (!host) throw js::Error("This Worker has no Worker Loader binding.");
  return *host;
}

DynamicLimits limitsFrom(std::optional<double> cpuMs, std::optional<double> subRequests) {
  DynamicLimits out;
  if (cpuMs && std::isfinite(*cpuMs) && *cpuMs >= 0) out.cpuMs = *cpuMs;
  if (subRequests && std::isfinite(*subRequests) && *subRequests >= 0)
    out.subrequests = static_cast<uint32_t>(std::min(*subRequests, 4294967295.0));
  return out;
}

DynamicOutbound outboundFrom(js::Lock& js, js::Value outbound) {
  DynamicOutbound out;
  if (outbound.isUndefined()) return out;
  if (outbound.isNull()) {
    out.kind = DynamicOutbound::Kind::Blocked;
    return out;
  }
  out.kind = DynamicOutbound::Kind::Entrypoint;
  out.entrypoint = js.toString(js.arrayItem(outbound, 0));
  auto props = js.arrayItem(outbound, 1);
  if (!props.isUndefined()) out.props = payloadMessage(js, props);
  return out;
}

std::shared_ptr<const RpcMessage> propsFrom(js::Lock& js, js::Value props) {
  return props.isUndefined() ? nullptr : payloadMessage(js, props);
}

uint64_t idFrom(double id) {
  if (!(id >= 1) || id != std::floor(id)) throw js::TypeError("Invalid Worker id.");
  return static_cast<uint64_t>(id);
}

}  // namespace

double WorkerLoaderOps::loaderLoad(js::Lock& js, std::string ns, std::optional<std::string> name,
                                   std::string mainModule, js::Value modules,
                                   js::Value env, std::optional<double> cpuMs,
                                   std::optional<double> subRequests, js::Value outbound,
                                   js::Value compatibility) {
  std::vector<io::ModuleInput> inputs;
  for (uint32_t i = 0; i < js.arrayLength(modules); i++) {
    auto entry = js.arrayItem(modules, i);
    io::ModuleInput in;
    in.name = js.toString(js.arrayItem(entry, 0));
    auto kind = js.arrayItem(entry, 1);
    auto content = js.arrayItem(entry, 2);
    if (kind.isNull()) {
      in.plain = js.toString(content);
    } else {
      // Each own property of an object module, in order (buildWorkerCode checks there is one).
      for (uint32_t k = 0; k + 1 < js.arrayLength(kind); k += 2) {
        auto key = js.toString(js.arrayItem(kind, k));
        auto value = js.arrayItem(kind, k + 1);
        bool bytes = key == "data" || key == "wasm";
        in.fields.emplace_back(key, bytes ? js.toBytes(value) : js.toString(value));
      }
    }
    inputs.push_back(std::move(in));
  }
  // A main module missing from `modules` fails the Worker's start instead, as in workerd.
  auto code = io::buildWorkerCode(std::move(mainModule), std::move(inputs), false);
  code.compatibilityDate = js.toString(js.arrayItem(compatibility, 0));
  auto flags = js.arrayItem(compatibility, 1);
  for (uint32_t i = 0; i < js.arrayLength(flags); i++) code.compatibilityFlags.push_back(js.toString(js.arrayItem(flags, i)));
  if (auto error = io::compatibilityDateError(code.compatibilityDate)) throw js::Error(*error);
  if (auto error = io::compatibilityFlagsError(code.compatibilityFlags)) throw js::Error(*error);
  return static_cast<double>(loaderHost(js).loadWorker(std::move(code), payloadMessage(js, env),
                                                         limitsFrom(cpuMs, subRequests), std::move(ns),
                                                         std::move(name), outboundFrom(js, outbound)));
}

js::Ref<WorkerLease> WorkerLoaderOps::loaderHold(js::Lock& js, double id) {
  return js::make<WorkerLease>(loaderHost(js).releaserOf(idFrom(id)));
}

bool WorkerLoaderOps::loaderAlive(js::Lock& js, double id) { return loaderHost(js).workerAlive(idFrom(id)); }

js::Value WorkerLoaderOps::loaderFetch(js::Lock& js, double id, std::string entrypoint, js::Value props,
                                       std::optional<double> cpuMs, std::optional<double> subRequests,
                                       std::string method, std::string url, js::Value headers, js::Value body) {
  io::HttpRequest request{std::move(method), std::move(url), {}, {}};
  for (uint32_t i = 0; i < js.arrayLength(headers); i++) {
    auto pair = js.arrayItem(headers, i);
    request.headers.emplace_back(js.toString(js.arrayItem(pair, 0)), js.toString(js.arrayItem(pair, 1)));
  }
  if (!body.isNull() && !body.isUndefined()) request.body = js.toBytes(body);
  return loaderHost(js).fetchWorker(js, idFrom(id), std::move(request), std::move(entrypoint), propsFrom(js, props),
                                    limitsFrom(cpuMs, subRequests));
}

js::Value WorkerLoaderOps::loaderCall(js::Lock& js, double id, std::string entrypoint, js::Value props,
                                      std::optional<double> cpuMs, std::optional<double> subRequests,
                                      std::vector<std::string> path, bool get, js::Value args,
                                      js::Ref<RpcPipelineHandle> pipeline) {
  RpcCall call{std::move(path), get, nullptr};
  if (!args.isUndefined()) call.args = takePayload(js, args);
  return loaderHost(js).callWorker(js, idFrom(id), std::move(entrypoint), propsFrom(js, props),
                                   limitsFrom(cpuMs, subRequests), std::move(call), pipeline->pipeline());
}

}  // namespace wisp::api
