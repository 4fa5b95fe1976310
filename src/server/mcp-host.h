// The MCP server (src/codemode/js/mcp-worker.js, embedded in the binary) as a Worker on one event
// loop, with its upstream MCP servers: what `wisp mcp` speaks over stdio (mcp-command.h) and what
// `/mcp` of the built-in API serves (execute-api.h). Its sessions live in that one isolate, so
// every /mcp request runs on the MCP loop whatever connection it came on.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "codemode/upstreams.h"
#include "io/limits.h"
#include "io/worker-cache.h"
#include "io/worker.h"
#include "server/host-workers.h"
#include "server/http-server.h"

namespace wisp::server {

struct McpHostOptions {
  std::vector<codemode::UpstreamSpec> upstreams;
  io::Limits limits;  // the MCP Worker's, and the most each sandbox gets
  // Shared with the process's other caches; null: one of its own.
  std::shared_ptr<io::CacheBudget> budget;
  std::function<void(const io::LogEntry&)> onLog;  // the MCP Worker's own console
};

class McpHost {
 public:
  // Throws std::invalid_argument for upstreams codemode::Upstreams refuses (a name used twice...).
  McpHost(McpHostOptions options, boost::asio::io_context& loop);
  ~McpHost();

  // An HTTP request for /mcp, on its connection's loop: the body is read there, the MCP Worker
  // answers on the MCP loop, and the answer is sent from the connection's loop again.
  void handle(Request request, Responder responder);

  // Hands `request` to the MCP Worker; call on the MCP loop. `done` runs there.
  void fetch(io::HttpRequest request, std::function<void(io::FetchResult)> done);

  // Stops the upstream processes (calls in flight fail). The destructor does it too.
  void shutdown();

  boost::asio::io_context& loop() { return loop_; }

 private:
  boost::asio::io_context& loop_;
  std::shared_ptr<codemode::Upstreams> upstreams_;
  std::unique_ptr<HostWorkers> workers_;
};

}  // namespace wisp::server
