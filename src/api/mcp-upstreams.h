// The upstream MCP servers of the MCP server's Worker (env.UPSTREAMS, js/mcp-upstreams.js), native
// half: these ops hand each call to McpUpstreamsHost (io::UpstreamsBridge implements it over
// codemode::Upstreams) and give JS a promise settled on the Worker's loop.
#pragma once

#include <string>

#include "js/lock.h"
#include "js/value.h"

namespace wisp::api {

class McpUpstreamsHost {
 public:
  virtual ~McpUpstreamsHost() = default;
  // Promise<[{name, tools: [MCP Tool], error?}]>, one per upstream in configured order; an
  // upstream that cannot be reached has no tools and an `error`.
  virtual js::Value listTools(js::Lock& js) = 0;
  // Promise<CallToolResult> ({content, structuredContent?, isError?}, as the upstream answered);
  // rejects with an Error saying why when the upstream failed (died, timed out, no such tool).
  // `argumentsJson`: a JSON object.
  virtual js::Value callTool(js::Lock& js, std::string server, std::string tool, std::string argumentsJson) = 0;
};

// The ops behind js/mcp-upstreams.js (registered on the native `ops` object, see ops.js).
struct McpUpstreamOps {
  static js::Value mcpListTools(js::Lock& js);
  static js::Value mcpCallTool(js::Lock& js, std::string server, std::string tool, std::string argumentsJson);
};

}  // namespace wisp::api
