#!/usr/bin/env node
// The MCP client side of tests/e2e/mcp_test.py: the official SDK's Client, connected to `wisp mcp`
// over stdio or to `/mcp` of `wisp serve` over streamable HTTP, runs each case and prints
// "ok <case>" or "FAIL <case>" with the reason; the exit code is 1 when any case failed.
//
//   node client.mjs '{"transport": "stdio", "command": WISP, "args": [...], "env": {...}, "scratch": DIR}'
//   node client.mjs '{"transport": "http", "url": "http://127.0.0.1:PORT/mcp", "token": T, "scratch": DIR}'
//
// The upstreams are named `everything`, `fs` (server-filesystem on `scratch`), `memory` and, over
// stdio, `fragile` (fragile-server.mjs).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import assert from "node:assert/strict";
import { join } from "node:path";

const config = JSON.parse(process.argv[2]);
const scratch = config.scratch;

function transport() {
  if (config.transport === "stdio") {
    return new StdioClientTransport({
      command: config.command,
      args: config.args,
      env: { ...process.env, ...(config.env ?? {}) },
      stderr: "inherit",
    });
  }
  return new StreamableHTTPClientTransport(new URL(config.url), {
    requestInit: { headers: { authorization: `Bearer ${config.token}` } },
  });
}

const client = new Client({ name: "wisp-e2e", version: "1.0.0" });
const connection = transport();
await client.connect(connection);

// The text of a CallToolResult that must (or must not) be an error.
async function call(name, args, { error = false } = {}) {
  const result = await client.callTool({ name, arguments: args });
  const text = result.content.map((c) => c.text).join("\n");
  assert.equal(Boolean(result.isError), error, `isError should be ${error}; text: ${text}`);
  return text;
}

async function execute(code, options) {
  return JSON.parse(await call("execute", { code }, options));
}

const results = [];
async function test(name, fn) {
  try {
    await fn();
    results.push([name, null]);
  } catch (e) {
    results.push([name, e?.stack ?? String(e)]);
  }
}

await test("server_info_and_version", async () => {
  assert.equal(client.getServerVersion().name, "wisp");
  assert.ok(client.getServerCapabilities().tools, "tools capability");
});

await test("tools_list_is_execute_search_describe", async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name), ["execute", "search", "describe"]);
  const execute = tools[0];
  assert.deepEqual(execute.inputSchema.required, ["code"]);
  for (const ns of ["everything", "fs", "memory"]) assert.match(execute.description, new RegExp(`- ${ns}: `));
  assert.match(execute.description, /create_entities/);
  assert.match(execute.description, /describe/);
  assert.match(execute.description, /async arrow function/);
  // Names only: the types are not in the prompt.
  assert.doesNotMatch(execute.description, /declare const/);
});

await test("search_finds_tools_by_keywords", async () => {
  const text = await call("search", { query: "create entities" });
  assert.equal(text.split("\n")[0].split(":")[0], "memory.create_entities", text);
  const files = await call("search", { query: "read file", limit: 3 });
  assert.equal(files.split("\n").length, 3, files);
  assert.match(files, /^fs\.read_/m);
  assert.match(await call("search", { query: "zzzqqq" }), /No tool matches/);
});

await test("describe_gives_typescript", async () => {
  const text = await call("describe", { names: ["memory.create_entities", "everything.get_sum"] });
  assert.match(text, /declare const memory: \{/);
  assert.match(text, /create_entities\(input: \{ entities: Entity\[\] \}\): Promise<\{ entities: Entity\[\] \}>;/);
  assert.match(text, /declare const everything: \{/);
  assert.match(text, /get_sum\(input: \{/);
  assert.doesNotMatch(text, /read_graph/);
  const whole = await call("describe", { names: ["fs"] });
  assert.match(whole, /read_text_file\(input:/);
  assert.match(whole, /list_allowed_directories\(/);
  assert.match(await call("describe", { names: ["nope.nothing"] }, { error: true }), /No such tool or namespace: nope\.nothing/);
});

await test("execute_uses_three_upstreams_in_one_run", async () => {
  const file = join(scratch, "note.txt");
  const out = await execute(`async () => {
    await fs.write_file({ path: ${JSON.stringify(file)}, content: "hello from wisp" });
    const read = await fs.read_text_file({ path: ${JSON.stringify(file)} });
    await memory.create_entities({ entities: [{ name: "note", entityType: "file", observations: [read.content] }] });
    const graph = await memory.read_graph({});
    const echo = await everything.echo({ message: "ping" });
    const sum = await everything.get_sum({ a: 2, b: 3 });
    console.log("read", read.content.length, "characters");
    return { read: read.content, entities: graph.entities.map((e) => [e.name, e.observations]), echo, sum };
  }`);
  assert.deepEqual(out.result.entities, [["note", ["hello from wisp"]]]);
  assert.equal(out.result.read, "hello from wisp");
  assert.match(JSON.stringify(out.result.echo), /ping/);
  assert.match(JSON.stringify(out.result.sum), /5/);
  assert.ok(out.logs.some((l) => /read 15 characters/.test(l)), JSON.stringify(out.logs));
});

await test("execute_statements_return_the_last_expression", async () => {
  const out = await execute("const a = 20; const b = 22; a + b");
  assert.equal(out.result, 42);
});

await test("upstream_tool_error_is_a_clean_error", async () => {
  // Outside the filesystem server's allowed directory: it answers with isError.
  const out = await execute(`async () => {
    console.log("before");
    return await fs.read_text_file({ path: "/etc/hostname" });
  }`, { error: true });
  assert.match(out.error, /denied|outside|not allowed/i, out.error);
  assert.ok(out.logs.some((l) => /before/.test(l)), JSON.stringify(out.logs));
  // Caught inside the code, it is an ordinary exception.
  const caught = await execute(`async () => {
    try { await fs.read_text_file({ path: "/etc/hostname" }); return "no error"; }
    catch (e) { return e instanceof Error ? "caught" : typeof e; }
  }`);
  assert.equal(caught.result, "caught");
});

await test("code_that_throws_is_an_error_with_logs", async () => {
  const out = await execute(`async () => { console.log("step 1"); throw new TypeError("bad input"); }`, { error: true });
  assert.match(out.error, /bad input/);
  assert.ok(out.logs.some((l) => /step 1/.test(l)), JSON.stringify(out.logs));
});

await test("cpu_bound_code_is_stopped_and_the_next_run_works", async () => {
  const out = await execute("async () => { while (true) {} }", { error: true });
  assert.match(out.error, /CPU time limit/i, out.error);
  assert.equal((await execute("async () => (await memory.read_graph({})).entities.length")).result, 1);
});

await test("heap_bomb_is_stopped_and_fetch_is_blocked", async () => {
  const bomb = await execute("async () => { const all = []; while (true) all.push(new Array(100000).fill(1)); }", { error: true });
  assert.match(bomb.error, /memory limit/i, bomb.error);
  const net = await execute("async () => (await fetch('http://127.0.0.1:9/')).status", { error: true });
  assert.match(net.error, /not permitted to access the internet/, net.error);
  assert.equal((await execute("const n: number = 41; n + 1")).result, 42);  // TypeScript is accepted
});

if (config.transport === "stdio") {
  await test("dead_upstream_is_reported_and_restarted", async () => {
    const first = (await execute("async () => (await fragile.pid({})).pid")).result;
    assert.equal(typeof first, "number");
    const crashed = await execute("async () => { await fragile.crash({}); return 'answered'; }", { error: true });
    assert.match(crashed.error, /exit|died|closed|terminated|gone/i, crashed.error);
    const second = (await execute("async () => (await fragile.pid({})).pid")).result;
    assert.equal(typeof second, "number");
    assert.notEqual(second, first, "a new process");
    // Killed from outside while idle: the next call starts it again.
    process.kill(second, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));
    let third;
    for (let attempt = 0; attempt < 2 && third === undefined; attempt++) {
      const out = JSON.parse((await client.callTool({ name: "execute", arguments: { code: "async () => (await fragile.pid({})).pid" } })).content[0].text);
      third = out.result ?? undefined;
    }
    assert.equal(typeof third, "number");
    assert.notEqual(third, second);
  });

  await test("tool_error_result_throws_in_the_sandbox", async () => {
    const out = await execute("async () => await fragile.refuse({})", { error: true });
    assert.match(out.error, /refused: this tool always fails/);
  });
}

await test("unknown_tool_is_a_protocol_error", async () => {
  await assert.rejects(client.callTool({ name: "nope", arguments: {} }), /Unknown tool: nope/);
});

await client.close();
let failed = 0;
for (const [name, error] of results) {
  if (error) failed++;
  console.log(error ? `FAIL ${name}\n  ${error.replaceAll("\n", "\n  ")}` : `ok   ${name}`);
}
process.exit(failed ? 1 : 0);
