// MCP's JSON-RPC messages, whatever the transport: initialize, ping, tools/list, tools/call.
// https://modelcontextprotocol.io/specification/2025-11-25/basic
// The transports (mcp-http.js: streamable HTTP with sessions; stdio, one message at a time) hand
// each parsed message to handleMessage and send back what it returns.

// Newest first: the first is offered to a client asking for a version not listed here.
export const protocolVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

export const errors = {
  parse: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
};

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// A request has a method and an id; a notification has a method and no id; a response has a
// result or an error. Anything else is not a JSON-RPC message.
export function kindOf(message) {
  if (!isObject(message) || message.jsonrpc !== "2.0") return "invalid";
  const validId = typeof message.id === "string" || (typeof message.id === "number" && Number.isFinite(message.id));
  if (typeof message.method === "string") {
    if (!("id" in message)) return "notification";
    return validId ? "request" : "invalid";
  }
  if (("result" in message || "error" in message) && (validId || message.id === null)) return "response";
  return "invalid";
}

export function errorResponse(id, code, message) {
  return { jsonrpc: "2.0", id: id ?? null, error: { code, message } };
}

// The version to answer an initialize with: the client's when we speak it, else our newest.
export function negotiateVersion(requested) {
  return protocolVersions.includes(requested) ? requested : protocolVersions[0];
}

// server: { info: {name, version}, instructions, tools(): Promise<Tool[]>,
//           call(name, args): Promise<CallToolResult | null> (null: no such tool) }
// Returns the response to send, or null for a notification or a response (nothing to send).
export async function handleMessage(message, server) {
  const kind = kindOf(message);
  if (kind === "invalid") return errorResponse(isObject(message) ? message.id : null, errors.invalidRequest, "Invalid JSON-RPC message.");
  if (kind !== "request") return null;
  const { id, method } = message;
  const params = message.params ?? {};
  if (!isObject(params)) return errorResponse(id, errors.invalidParams, "'params' must be an object.");
  try {
    const result = await answer(method, params, server);
    if (result === undefined) return errorResponse(id, errors.methodNotFound, `Method not found: ${method}`);
    return { jsonrpc: "2.0", id, result };
  } catch (e) {
    if (e instanceof ParamsError) return errorResponse(id, errors.invalidParams, e.message);
    return errorResponse(id, errors.internal, e instanceof Error ? e.message : String(e));
  }
}

class ParamsError extends Error {}

async function answer(method, params, server) {
  switch (method) {
    case "initialize":
      return {
        protocolVersion: negotiateVersion(params.protocolVersion),
        capabilities: { tools: { listChanged: false } },
        serverInfo: server.info,
        ...(server.instructions ? { instructions: server.instructions } : {}),
      };
    case "ping":
      return {};
    case "tools/list":
      return { tools: await server.tools() };
    case "tools/call": {
      if (typeof params.name !== "string") throw new ParamsError("'name' must be a string.");
      if (params.arguments !== undefined && !isObject(params.arguments)) throw new ParamsError("'arguments' must be an object.");
      const result = await server.call(params.name, params.arguments ?? {});
      if (result === null) throw new ParamsError(`Unknown tool: ${params.name}`);
      return result;
    }
    default:
      return undefined;
  }
}
