#include "server/capnweb-gateway.h"

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/host.h"
#include "io/worker-code.h"

extern "C" {
extern const char wisp_capnweb_gateway_js[];
extern const char wisp_capnweb_gateway_js_end[];
}

namespace wisp::server {

std::unique_ptr<HostWorkers> makeCapnwebGateway(const io::Limits& limits, io::LoaderSettings loader,
                                                const std::vector<boost::asio::io_context*>& loops) {
  io::Worker::Options options;
  options.limits = limits;
  options.workerLoaders.push_back({"LOADER", "capnweb"});
  options.loader = std::move(loader);
  // No `outbound`: neither the gateway nor the Workers it loads (globalOutbound: null) reach the
  // network.
  options.onLog = [](const io::LogEntry& e) {
    logLine(nlohmann::json{{"type", "console"}, {"source", "capnweb"}, {"level", api::logLevelName(e.level)},
                           {"time", e.timeMs}, {"message", e.message}}.dump());
  };
  std::string_view source(wisp_capnweb_gateway_js,
                          static_cast<size_t>(wisp_capnweb_gateway_js_end - wisp_capnweb_gateway_js));
  return std::make_unique<HostWorkers>(
      [source] { return io::buildWorkerCode("gateway.js", {io::ModuleInput{"gateway.js", std::string(source), {}}}); },
      std::move(options), loops);
}

}  // namespace wisp::server
