// MCP's transports as HTTP requests to the MCP server's Worker.
//
// POST /mcp   streamable HTTP (https://modelcontextprotocol.io/specification/2025-11-25/basic/transports):
//             a JSON-RPC message (or a batch) per request. Requests are answered with
//             application/json (never an SSE stream: this server sends no requests or
//             notifications of its own); notifications and responses get 202. initialize opens
//             a session and answers its id in Mcp-Session-Id; every later request must carry it
//             (400 without, 404 for one that is unknown or ended). DELETE /mcp ends a session;
//             GET /mcp (a stream for server messages) is 405.
// POST /stdio one message per request, no sessions: what `wisp mcp` hands over for each line
//             read from stdin (src/server/mcp-command.cc). Not reachable over HTTP: `wisp serve`
//             forwards /mcp only.
//
// Sessions live in this isolate: the server runs the MCP Worker on one event loop.
import { errorResponse, errors, handleMessage, kindOf, protocolVersions } from "./mcp-protocol.js";

const sessions = new Map();  // id -> { protocolVersion }
const maxSessions = 10000;   // the oldest go first beyond this (a client that never says DELETE)

export async function handleRequest(request, server) {
  const path = new URL(request.url).pathname;
  if (path === "/stdio" && request.method === "POST") return handleStdio(request, server);
  if (path !== "/mcp") return plain(404, "Not found. The MCP endpoint is /mcp.");
  switch (request.method) {
    case "POST":
      return handlePost(request, server);
    case "DELETE":
      return handleDelete(request);
    default:
      return plain(405, "Use POST to send MCP messages, DELETE to end a session. This server opens no SSE stream.",
                   { allow: "POST, DELETE" });
  }
}

async function handleStdio(request, server) {
  let message;
  try {
    message = JSON.parse(await request.text());
  } catch {
    return json(200, errorResponse(null, errors.parse, "Parse error: not JSON."));
  }
  const reply = await handleMessage(message, server);
  return reply === null ? new Response(null, { status: 202 }) : json(200, reply);
}

async function handlePost(request, server) {
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    return json(415, errorResponse(null, errors.invalidRequest, "Content-Type must be application/json."));
  }
  let body;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return json(400, errorResponse(null, errors.parse, "Parse error: the body is not JSON."));
  }
  const batch = Array.isArray(body);
  const messages = batch ? body : [body];
  if (messages.length === 0) return json(400, errorResponse(null, errors.invalidRequest, "An empty batch."));

  const initialize = messages.find((m) => kindOf(m) === "request" && m.method === "initialize");
  let sessionId = request.headers.get("mcp-session-id");
  if (initialize) {
    if (messages.length > 1) {
      return json(400, errorResponse(initialize.id, errors.invalidRequest, "initialize must be sent alone."));
    }
    sessionId = newSession();
  } else {
    const refused = checkSession(sessionId, request.headers.get("mcp-protocol-version"));
    if (refused) return refused;
  }

  const replies = (await Promise.all(messages.map((m) => handleMessage(m, server)))).filter((r) => r !== null);
  const headers = { "mcp-session-id": sessionId };
  if (initialize) {
    const reply = replies[0];
    if (reply.error) {
      sessions.delete(sessionId);
      return json(200, reply);
    }
    sessions.get(sessionId).protocolVersion = reply.result.protocolVersion;
  }
  if (replies.length === 0) return new Response(null, { status: 202, headers });
  return json(200, batch ? replies : replies[0], headers);
}

function handleDelete(request) {
  const id = request.headers.get("mcp-session-id");
  if (!id) return json(400, errorResponse(null, errors.invalidRequest, "Bad Request: Mcp-Session-Id header is required."));
  if (!sessions.delete(id)) return json(404, errorResponse(null, -32001, "Session not found."));
  return new Response(null, { status: 200 });
}

function newSession() {
  if (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value);
  const id = crypto.randomUUID();
  sessions.set(id, { protocolVersion: protocolVersions[0] });
  return id;
}

// Why a request of a session cannot go on (a Response), or null when it can.
function checkSession(id, version) {
  if (!id) return json(400, errorResponse(null, errors.invalidRequest, "Bad Request: Mcp-Session-Id header is required."));
  if (!sessions.has(id)) return json(404, errorResponse(null, -32001, "Session not found."));
  if (version !== null && !protocolVersions.includes(version)) {
    return json(400, errorResponse(null, errors.invalidRequest,
      `Bad Request: unsupported MCP-Protocol-Version '${version}' (supported: ${protocolVersions.join(", ")}).`));
  }
  return null;
}

function json(status, value, headers = {}) {
  return new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json", ...headers } });
}

function plain(status, text, headers = {}) {
  return new Response(text + "\n", { status, headers: { "content-type": "text/plain;charset=UTF-8", ...headers } });
}
