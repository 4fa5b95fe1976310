// The MCP server's JavaScript (src/codemode/js/mcp-*.js), inside wisp, with a fake executor and
// fake upstreams: JSON-RPC, the streamable-HTTP transport and its sessions, search, describe and
// how tool results become values. `mcp-*.js` here are links to the modules in src/.
// tests/e2e/mcp_test.py runs the same server with real upstream MCP servers and real sandboxes.
import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "wisp:test";
import { generateTypes, sanitizeToolName } from "./tool-types.js";
import { ToolCatalog, toolResultValue } from "./mcp-catalog.js";
import { callTool, toolDefinitions } from "./mcp-tools.js";
import { handleMessage, negotiateVersion, protocolVersions } from "./mcp-protocol.js";
import { handleRequest } from "./mcp-http.js";

const object = (properties, required = []) => ({ type: "object", properties, required });
const lists = [
  { name: "memory", tools: [
    { name: "create_entities", description: "Create multiple new entities in the knowledge graph",
      inputSchema: object({ entities: { type: "array", items: object({ name: { type: "string" } }, ["name"]) } }, ["entities"]) },
    { name: "read_graph", description: "Read the entire knowledge graph", inputSchema: object({}) },
  ] },
  { name: "file-system", tools: [
    { name: "read-file", description: "Read a file\nSecond line", inputSchema: object({ path: { type: "string" } }, ["path"]) },
    { name: "read_graph", description: "Not the memory one", inputSchema: object({}) },
  ] },
  { name: "down", tools: [], error: "could not start: ENOENT" },
];
const catalog = () => new ToolCatalog(lists, { generateTypes, sanitizeToolName });

function server({ execute = async () => ({ result: 1, logs: [] }), calls = [] } = {}) {
  const cat = catalog();
  const deps = {
    catalog: async () => cat,
    execute,
    callTool: async (...args) => {
      calls.push(args);
      return { content: [{ type: "text", text: "{\"ok\":true}" }] };
    },
  };
  return {
    info: { name: "wisp", version: "test" },
    tools: async () => toolDefinitions(cat),
    call: (name, args) => callTool(name, args, deps),
  };
}

const request = (id, method, params) => ({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) });

export function namespacesAreSanitisedAndKeepTheirServer() {
  const cat = catalog();
  assertEquals(cat.namespaces.map((n) => [n.name, n.server]), [["memory", "memory"], ["file_system", "file-system"], ["down", "down"]]);
  assertEquals(cat.namespaces[1].tools.map((t) => t.method), ["read_file", "read_graph"]);
  assertThrows(() => new ToolCatalog([{ name: "a-b", tools: [] }, { name: "a.b", tools: [] }], { generateTypes, sanitizeToolName }),
               TypeError, "same namespace 'a_b'");
}

export function searchRanksNamesAboveDescriptions() {
  const cat = catalog();
  assertEquals(cat.search("graph").map((r) => r.path), ["memory.read_graph", "file_system.read_graph", "memory.create_entities"]);
  assertEquals(cat.search("read file")[0], { path: "file_system.read_file", description: "Read a file" });
  // A namespace's name matches all of its tools, ahead of a mere mention in a description.
  assertEquals(cat.search("memory").map((r) => r.path), ["memory.create_entities", "memory.read_graph", "file_system.read_graph"]);
  assertEquals(cat.search("").length, 4);
  assertEquals(cat.search("", 1).length, 1);
  assertEquals(cat.search("zzz qqq"), []);
}

export function describeNamesToolsOrNamespaces() {
  const cat = catalog();
  const one = cat.describe(["memory.create_entities"]);
  assertMatch(one, /declare const memory: \{/);
  assertMatch(one, /create_entities\(input: \{ entities: \{ name: string \}\[\] \}\): Promise<unknown>;/);
  assert(!one.includes("read_graph"), one);
  const whole = cat.describe(["file-system"]);
  assertMatch(whole, /declare const file_system: \{/);
  assertMatch(whole, /read_file\(input: \{ path: string \}\)/);
  assertMatch(cat.describe(["read_file"]), /declare const file_system/);  // unique method name
  assertThrows(() => cat.describe(["read_graph"]), TypeError, "read_graph (in memory, file_system: say which)");
  assertThrows(() => cat.describe(["nope.x", "memory.nope"]), TypeError, "No such tool or namespace: nope.x; memory.nope");
}

export function toolResultsBecomeValues() {
  const text = (...t) => ({ content: t.map((s) => ({ type: "text", text: s })) });
  assertEquals(toolResultValue(text("{\"a\":1}")), { a: 1 });
  assertEquals(toolResultValue(text("plain words")), "plain words");
  assertEquals(toolResultValue(text("1", "two")), [1, "two"]);
  assertEquals(toolResultValue({ ...text("ignored"), structuredContent: { b: 2 } }), { b: 2 });
  const image = { content: [{ type: "image", data: "AAAA", mimeType: "image/png" }] };
  assertEquals(toolResultValue(image), image);
  assertThrows(() => toolResultValue({ ...text("no access", "at all"), isError: true }), Error, "no access\nat all");
}

export async function providersCallTheUpstreamByItsOwnNames() {
  const calls = [];
  const fns = catalog().providers(async (...args) => {
    calls.push(args);
    return { content: [{ type: "text", text: "42" }] };
  });
  assertEquals(fns.map((p) => [p.name, Object.keys(p.fns)]), [
    ["memory", ["create_entities", "read_graph"]], ["file_system", ["read_file", "read_graph"]], ["down", []]]);
  assertEquals(await fns[1].fns.read_file({ path: "/x" }), 42);
  assertEquals(await fns[0].fns.read_graph(), 42);
  assertEquals(calls, [["file-system", "read-file", { path: "/x" }], ["memory", "read_graph", {}]]);
}

export async function initializeNegotiatesTheVersion() {
  const s = server();
  const known = await handleMessage(request(1, "initialize", { protocolVersion: "2025-03-26", capabilities: {} }), s);
  assertEquals(known.result.protocolVersion, "2025-03-26");
  assertEquals(known.result.serverInfo, { name: "wisp", version: "test" });
  assertEquals(known.result.capabilities, { tools: { listChanged: false } });
  const unknown = await handleMessage(request("a", "initialize", { protocolVersion: "1999-01-01" }), s);
  assertEquals([unknown.id, unknown.result.protocolVersion], ["a", protocolVersions[0]]);
  assertEquals(negotiateVersion(undefined), "2025-11-25");
}

export async function requestsNotificationsAndErrors() {
  const s = server();
  assertEquals(await handleMessage(request(2, "ping"), s), { jsonrpc: "2.0", id: 2, result: {} });
  assertEquals(await handleMessage({ jsonrpc: "2.0", method: "notifications/initialized" }, s), null);
  assertEquals(await handleMessage({ jsonrpc: "2.0", id: 9, result: {} }, s), null);
  assertEquals((await handleMessage(request(3, "resources/list"), s)).error.code, -32601);
  assertEquals((await handleMessage({ jsonrpc: "1.0", id: 4, method: "ping" }, s)).error.code, -32600);
  assertEquals((await handleMessage({ jsonrpc: "2.0", id: {}, method: "ping" }, s)).error.code, -32600);
  assertEquals((await handleMessage(request(5, "tools/call", { name: "nope" }), s)).error,
               { code: -32602, message: "Unknown tool: nope" });
  assertEquals((await handleMessage(request(6, "tools/call", { name: "execute", arguments: [] }), s)).error.code, -32602);
}

export async function toolsListOffersThreeTools() {
  const { result } = await handleMessage(request(1, "tools/list"), server());
  assertEquals(result.tools.map((t) => t.name), ["execute", "search", "describe"]);
  const description = result.tools[0].description;
  assertMatch(description, /- memory: create_entities, read_graph/);
  assertMatch(description, /- file_system: read_file, read_graph/);
  assertMatch(description, /- down: unavailable \(could not start: ENOENT\)/);
  assertMatch(description, /async arrow function/);
}

export async function executeAnswersResultAndLogsOrError() {
  let seen;
  const ok = server({ execute: async (code, providers) => {
    seen = [code, providers.map((p) => p.name)];
    return { result: { n: 1 }, logs: ["[log] hi"] };
  } });
  const answer = await ok.call("execute", { code: "1" });
  assertEquals(answer, { content: [{ type: "text", text: "{\"result\":{\"n\":1},\"logs\":[\"[log] hi\"]}" }] });
  assertEquals(seen, ["1", ["memory", "file_system", "down"]]);
  const none = await server({ execute: async () => ({ result: undefined, logs: [] }) }).call("execute", { code: "" });
  assertEquals(JSON.parse(none.content[0].text), { result: null, logs: [] });
  const failed = await server({ execute: async () => ({ result: undefined, error: "Worker exceeded CPU time limit.", logs: ["x"] }) })
    .call("execute", { code: "while (true) {}" });
  assertEquals(failed.isError, true);
  assertEquals(JSON.parse(failed.content[0].text), { error: "Worker exceeded CPU time limit.", logs: ["x"] });
  assertEquals((await ok.call("execute", {})).isError, true);
  assertEquals((await ok.call("search", { query: "x", limit: 0 })).isError, true);
  assertEquals((await ok.call("describe", { names: [] })).isError, true);
  assertEquals((await ok.call("describe", { names: "memory.read_graph" })).isError, undefined);  // a lone string is accepted
}

export async function searchMentionsUnavailableUpstreams() {
  const answer = await server().call("search", { query: "graph" });
  assertEquals(answer.content[0].text.split("\n"), [
    "memory.read_graph: Read the entire knowledge graph",
    "file_system.read_graph: Not the memory one",
    "memory.create_entities: Create multiple new entities in the knowledge graph",
    "(down is unavailable: could not start: ENOENT)",
  ]);
}

const post = (body, headers = {}) => new Request("http://wisp/mcp", {
  method: "POST", body: typeof body === "string" ? body : JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers },
});

export async function streamableHttpSessions() {
  const s = server();
  const init = await handleRequest(post(request(1, "initialize", { protocolVersion: "2025-06-18" })), s);
  assertEquals(init.status, 200);
  assertEquals(init.headers.get("content-type"), "application/json");
  const session = init.headers.get("mcp-session-id");
  assertMatch(session, /^[0-9a-f-]{36}$/);
  assertEquals((await init.json()).result.protocolVersion, "2025-06-18");

  const ping = await handleRequest(post(request(2, "ping"), { "mcp-session-id": session }), s);
  assertEquals([ping.status, await ping.json()], [200, { jsonrpc: "2.0", id: 2, result: {} }]);
  const note = await handleRequest(post({ jsonrpc: "2.0", method: "notifications/initialized" }, { "mcp-session-id": session }), s);
  assertEquals([note.status, await note.text()], [202, ""]);
  const batch = await handleRequest(post([request(3, "ping"), { jsonrpc: "2.0", method: "x" }, request(4, "ping")],
                                         { "mcp-session-id": session }), s);
  assertEquals((await batch.json()).map((r) => r.id), [3, 4]);

  assertEquals((await handleRequest(post(request(5, "ping")), s)).status, 400);
  assertEquals((await handleRequest(post(request(5, "ping"), { "mcp-session-id": "nope" }), s)).status, 404);
  assertEquals((await handleRequest(post(request(5, "ping"), { "mcp-session-id": session, "mcp-protocol-version": "1.0" }), s)).status, 400);
  assertEquals((await handleRequest(post(request(5, "ping"), { "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" }), s)).status, 200);

  const end = await handleRequest(new Request("http://wisp/mcp", { method: "DELETE", headers: { "mcp-session-id": session } }), s);
  assertEquals(end.status, 200);
  assertEquals((await handleRequest(post(request(6, "ping"), { "mcp-session-id": session }), s)).status, 404);
}

export async function streamableHttpRefusals() {
  const s = server();
  const get = await handleRequest(new Request("http://wisp/mcp"), s);
  assertEquals([get.status, get.headers.get("allow")], [405, "POST, DELETE"]);
  assertEquals((await handleRequest(new Request("http://wisp/elsewhere", { method: "POST" }), s)).status, 404);
  assertEquals((await handleRequest(post("{oops"), s)).status, 400);
  assertEquals((await handleRequest(post(request(1, "ping"), { "content-type": "text/plain" }), s)).status, 415);
  assertEquals((await handleRequest(post([]), s)).status, 400);
  const twice = await handleRequest(post([request(1, "initialize", {}), request(2, "ping")]), s);
  assertEquals(twice.status, 400);
}

export async function stdioMessagesNeedNoSession() {
  const s = server();
  const stdio = (body) => handleRequest(new Request("http://wisp-mcp/stdio", { method: "POST", body }), s);
  const pong = await stdio(JSON.stringify(request(1, "ping")));
  assertEquals(await pong.json(), { jsonrpc: "2.0", id: 1, result: {} });
  assertEquals((await stdio(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }))).status, 202);
  assertEquals((await (await stdio("not json")).json()).error.code, -32700);
}
