// env.UPSTREAMS of the MCP server's Worker (src/codemode/js/mcp-worker.js): the upstream MCP
// servers of `wisp mcp` / `/mcp`, reached through ops.mcpListTools and ops.mcpCallTool
// (C++: src/api/mcp-upstreams.h, io/upstreams-bridge.h).
import { ops } from "./ops.js";
import { illegalConstructor, internalKey } from "./webidl.js";

export class McpUpstreams {
  constructor(key) {
    if (key !== internalKey) illegalConstructor();
  }

  // [{ name, tools: [MCP Tool], error? }], one entry per upstream, in configured order.
  listTools() {
    return ops.mcpListTools();
  }

  // The upstream's CallToolResult; rejects with an Error when the upstream itself failed.
  callTool(server, tool, input = {}) {
    return ops.mcpCallTool(String(server), String(tool), JSON.stringify(input ?? {}));
  }
}

export function addMcpUpstreams(env) {
  env.UPSTREAMS = new McpUpstreams(internalKey);
}
