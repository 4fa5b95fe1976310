// The built-in host's HTTP API (no config needed), described by docs/openapi.yaml:
//   POST /v1/execute       runs a Code Mode snippet or a module set and answers
//                          {result, logs, error, stats}; with an `id`, the Worker stays warm
//                          and the next request with that id and the same code reuses it
//   /v1/workers/{id}[/...] uploaded Workers (workers-api.h)
//   /mcp                   the MCP server (streamable HTTP) in front of wisp.mcp.upstreams
//                          (mcp-host.h; 404 when none are configured)
//   /v1/rpc                the Cap'n Web endpoint: HTTP batch (POST) or WebSocket (GET with
//                          Upgrade), whose main object loads Workers (capnweb-gateway.h)
// Every answer of its own is JSON; code that throws or breaches a limit is a 200 with `error`
// set, a request that cannot be run is a 4xx with `error`. When a token is configured every
// request must carry it (401 otherwise, and nothing runs).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "codemode/upstreams.h"
#include "io/limits.h"
#include "io/worker-cache.h"
#include "server/http-server.h"
#include "server/workers-api.h"

namespace wisp::server {

struct ExecuteApiOptions {
  io::Limits limits;     // the most a request may ask for; requests can only lower them
  std::string apiToken;  // when set, every request needs `Authorization: Bearer <token>`
  // Shared with every other cache of the process; null: one of its own (10000 Workers, 1 GiB).
  std::shared_ptr<io::CacheBudget> budget;
  double idleSeconds = 300;  // a warm Worker unused this long is unloaded (0: never)
  // What `"outbound": "network"` grants (the server's egress policy); without it, or when the
  // request does not ask, fetch() throws Workers' globalOutbound: null error.
  std::shared_ptr<const io::OutboundSettings> network;
  // The upstream MCP servers behind /mcp (wisp.mcp.upstreams); none: no /mcp.
  std::vector<codemode::UpstreamSpec> mcpUpstreams;
};

class HostWorkers;
class McpHost;

class ExecuteApi {
 public:
  // `loops`: the server's event loops; each gets its own cache of warm Workers.
  ExecuteApi(ExecuteApiOptions options, const std::vector<boost::asio::io_context*>& loops);
  ~ExecuteApi();
  // Handles one request on its connection's loop.
  void handle(Request request, Responder responder);

 private:
  void execute(ApiLoop& loop, const nlohmann::json& body, Responder responder);
  ApiLoop* loopOf(const Request& request);

  ExecuteApiOptions options_;
  std::vector<std::unique_ptr<ApiLoop>> loops_;
  std::unique_ptr<WorkersApi> workers_;
  std::unique_ptr<McpHost> mcp_;  // when upstreams are configured
  std::unique_ptr<HostWorkers> capnweb_;
};

}  // namespace wisp::server
