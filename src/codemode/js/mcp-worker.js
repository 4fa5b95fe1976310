// The MCP server of `wisp mcp` and of `/mcp` under `wisp serve`: a Worker that puts Code Mode in
// front of upstream MCP servers. It offers a model three tools (mcp-tools.js): `execute` runs code
// in a fresh dynamic Worker whose globals call the upstreams' tools, `search` and `describe` let
// the model find tools and read their types without every type in its prompt.
//
// env.UPSTREAMS  the upstream servers (src/api/js/mcp-upstreams.js): listTools(), callTool()
// env.LOADER     a Worker Loader, for the sandboxes
// env.VERSION    wisp's version, for serverInfo
// env.WALL_MS    the wall-time limit of each request to this Worker
//
// Bundled by scripts/bundle-js.mjs into one module (wisp:codemode stays an import) and embedded
// in the binary (src/server/mcp-host.cc).
import { DynamicWorkerExecutor, generateTypes, sanitizeToolName } from "wisp:codemode";
import { ToolCatalog } from "./mcp-catalog.js";
import { handleRequest } from "./mcp-http.js";
import { callTool, toolDefinitions } from "./mcp-tools.js";

let server;

// The upstreams' tools, listed once and kept while every upstream answered; asked again after
// one could not be reached (it may be back).
function catalogSource(upstreams) {
  let kept;
  return async () => {
    if (kept) return kept;
    const catalog = new ToolCatalog(await upstreams.listTools(), { generateTypes, sanitizeToolName });
    if (!catalog.namespaces.some((ns) => ns.error)) kept = catalog;
    return catalog;
  };
}

function serverFor(env) {
  if (server) return server;
  // An execution must end before the request that runs it reaches its wall-time limit, which
  // would stop this Worker (and its sessions) too: its timeout leaves room for the executor's
  // grace period and the answer.
  const timeout = Math.max(1000, Number(env.WALL_MS ?? 60000) - 5000);
  const executor = new DynamicWorkerExecutor({ loader: env.LOADER, globalOutbound: null, timeout });
  const catalog = catalogSource(env.UPSTREAMS);
  const deps = {
    catalog,
    execute: (code, providers) => executor.execute(code, providers),
    callTool: (serverName, tool, input) => env.UPSTREAMS.callTool(serverName, tool, input),
  };
  server = {
    info: { name: "wisp", title: "wisp Code Mode", version: String(env.VERSION ?? "0") },
    instructions: "Call the upstream MCP servers' tools by writing code: find tools with `search`, read their types with `describe`, then run JavaScript that calls them with `execute`.",
    tools: async () => toolDefinitions(await catalog()),
    call: (name, args) => callTool(name, args, deps),
  };
  return server;
}

export default {
  fetch(request, env) {
    return handleRequest(request, serverFor(env));
  },
};
