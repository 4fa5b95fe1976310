#include "server/mcp-host.h"

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "io/worker-code.h"

#ifndef WISP_VERSION
#define WISP_VERSION "0.1.0"
#endif

extern "C" const char wisp_mcp_worker_js[];
extern "C" const char wisp_mcp_worker_js_end[];

namespace wisp::server {
namespace {

io::WorkerCode mcpWorkerCode() {
  io::WorkerCode code;
  code.compatibilityDate = "2026-11-01";
  code.mainModule = "mcp-worker.js";
  code.modules.push_back({"mcp-worker.js", js::ModuleType::Esm,
                          std::string(wisp_mcp_worker_js, wisp_mcp_worker_js_end - wisp_mcp_worker_js)});
  return code;
}

}  // namespace

McpHost::McpHost(McpHostOptions options, boost::asio::io_context& loop)
    : loop_(loop), upstreams_(codemode::Upstreams::create(std::move(options.upstreams))) {
  io::Worker::Options worker;
  worker.limits = options.limits;
  worker.envJson = nlohmann::json{{"VERSION", WISP_VERSION}, {"WALL_MS", options.limits.wallMs}}.dump();
  // The sandboxes: dynamic Workers of this loader, with no network (the executor loads them with
  // globalOutbound: null, and the MCP Worker itself has no outbound to inherit).
  worker.workerLoaders.push_back({"LOADER", "wisp:mcp"});
  worker.loader.budget = std::move(options.budget);
  worker.mcpUpstreams = upstreams_;
  worker.onLog = std::move(options.onLog);
  workers_ = std::make_unique<HostWorkers>(mcpWorkerCode, std::move(worker), std::vector<boost::asio::io_context*>{&loop_});
}

McpHost::~McpHost() {
  workers_.reset();
  shutdown();
}

void McpHost::shutdown() { upstreams_->shutdown(); }

void McpHost::fetch(io::HttpRequest request, std::function<void(io::FetchResult)> done) {
  workers_->withWorker(loop_, [request = std::move(request), done = std::move(done)](
                                  std::shared_ptr<io::Worker> worker, std::optional<io::Failure> failure) mutable {
    if (failure) {
      io::FetchResult result;
      result.error = std::move(failure);
      return done(std::move(result));
    }
    worker->fetch(std::move(request), "default", std::move(done));
  });
}

void McpHost::handle(Request request, Responder responder) {
  boost::asio::io_context* home = request.loop;
  if (!home) return responder.fail();
  io::HttpRequest req{request.method, request.url, request.headers, {}};
  // The Responder is used and destroyed on its own loop only: copies of this holder may travel
  // to the MCP loop and end there, but the Responder in it is gone by then.
  auto held = std::make_shared<std::optional<Responder>>(std::move(responder));
  request.body.readAll([this, home, req = std::move(req), held](std::string body, BodyError error) mutable {
    if (error != BodyError::none) return;  // the server already answered (413, 400) or the client left
    req.body = std::move(body);
    auto answer = [home, held = std::move(held)](io::FetchResult result) mutable {
      boost::asio::post(*home, [held = std::move(held), result = std::move(result)]() mutable {
        Responder responder = std::move(**held);
        held->reset();
        if (result.error) return answerInternalError(responder, *result.error);
        auto& response = *result.response;
        responder.send(response.status, std::move(response.headers), std::move(response.body), response.statusText);
      });
    };
    boost::asio::post(loop_, [this, req = std::move(req), answer = std::move(answer)]() mutable {
      fetch(std::move(req), std::move(answer));
    });
  });
}

}  // namespace wisp::server
