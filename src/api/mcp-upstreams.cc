#include "api/mcp-upstreams.h"

#include "api/host.h"
#include "js/error.h"

namespace wisp::api {
namespace {

McpUpstreamsHost& upstreams(js::Lock& js) {
  auto* host = Host::current(js).mcpUpstreams();
  if (!host) throw js::Error("This Worker has no upstream MCP servers.");
  return *host;
}

}  // namespace

js::Value McpUpstreamOps::mcpListTools(js::Lock& js) { return upstreams(js).listTools(js); }

js::Value McpUpstreamOps::mcpCallTool(js::Lock& js, std::string server, std::string tool, std::string argumentsJson) {
  return upstreams(js).callTool(js, std::move(server), std::move(tool), std::move(argumentsJson));
}

}  // namespace wisp::api
