#include "api/worker-loader.h"

#include <cmath>

#include "api/host.h"
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

uint64_t idFrom(double id) {
  if (!(id >= 1) || id != std::floor(id)) throw js::TypeError("Invalid Worker id.");
  return static_cast<uint64_t>(id);
}

}  // namespace

double WorkerLoaderOps::loaderLoad(js::Lock& js, std::string ns, std::optional<std::string> name,
                                   std::string mainModule, js::Value modules,
                                   std::string envJson, std::optional<double> cpuMs,
                                   std::optional<double> subRequests) {
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
  auto code = io::buildWorkerCode(std::move(mainModule), std::move(inputs));
  return static_cast<double>(loaderHost(js).loadWorker(std::move(code), std::move(envJson),
                                                         limitsFrom(cpuMs, subRequests), std::move(ns),
                                                         std::move(name)));
}

bool WorkerLoaderOps::loaderAlive(js::Lock& js, double id) { return loaderHost(js).workerAlive(idFrom(id)); }

js::Value WorkerLoaderOps::loaderFetch(js::Lock& js, double id, std::string entrypoint, std::string propsJson,
                                       std::optional<double> cpuMs, std::optional<double> subRequests,
                                       std::string method, std::string url, js::Value headers, js::Value body) {
  io::HttpRequest request{std::move(method), std::move(url), {}, {}};
  for (uint32_t i = 0; i < js.arrayLength(headers); i++) {
    auto pair = js.arrayItem(headers, i);
    request.headers.emplace_back(js.toString(js.arrayItem(pair, 0)), js.toString(js.arrayItem(pair, 1)));
  }
  if (!body.isNull() && !body.isUndefined()) request.body = js.toBytes(body);
  return loaderHost(js).fetchWorker(js, idFrom(id), std::move(request), std::move(entrypoint), std::move(propsJson),
                                    limitsFrom(cpuMs, subRequests));
}

}  // namespace wisp::api
