#!/usr/bin/env node
// A scripted Code Mode agent: no model, fixed steps, the way an agent talks to `wisp mcp`.
// It starts `wisp mcp` with three upstream MCP servers from npm (server-filesystem on a scratch
// folder, server-memory, server-everything), discovers tools with `search` and `describe`, then
// runs ONE `execute` whose code calls tools of all three: it writes a file, reads it back, stores
// what it read in the knowledge graph and asks `everything` to add two numbers.
//
//   node examples/codemode-agent/agent.mjs [path/to/wisp]      (default: build/wisp)
//
// It prints each step and, last, the execution's JSON answer on one line.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const wisp = resolve(process.argv[2] ?? join(root, "build/wisp"));
const server = (name) => join(root, "node_modules/@modelcontextprotocol", `server-${name}`, "dist/index.js");
const scratch = mkdtempSync(join(tmpdir(), "codemode-agent-"));

const transport = new StdioClientTransport({
  command: wisp,
  args: [
    "mcp",
    "--upstream", `fs=node ${server("filesystem")} ${scratch}`,
    "--upstream", `memory=MEMORY_FILE_PATH=${join(scratch, "memory.jsonl")} node ${server("memory")}`,
    "--upstream", `everything=node ${server("everything")} stdio`,
  ],
  stderr: "inherit",
});
const client = new Client({ name: "codemode-agent", version: "1.0.0" });
await client.connect(transport);

const text = (result) => result.content.map((c) => c.text).join("\n");
const call = async (name, args) => text(await client.callTool({ name, arguments: args }));

try {
  // 1. What can I do? The execute tool's description names the namespaces and their tools.
  const { tools } = await client.listTools();
  console.log("tools:", tools.map((t) => t.name).join(", "));

  // 2. Find tools for the task, then read only their types.
  console.log("\nsearch 'write file':\n" + await call("search", { query: "write file", limit: 3 }));
  console.log("\ndescribe:\n" + await call("describe", {
    names: ["fs.write_file", "fs.read_text_file", "memory.create_entities", "everything.get_sum"],
  }));

  // 3. One execution, three upstreams: the code a model would write after reading those types.
  const note = join(scratch, "plan.txt");
  const code = `async () => {
    await fs.write_file({ path: ${JSON.stringify(note)}, content: "ship the MCP server" });
    const { content } = await fs.read_text_file({ path: ${JSON.stringify(note)} });
    await memory.create_entities({ entities: [{ name: "plan", entityType: "note", observations: [content] }] });
    const { entities } = await memory.read_graph({});
    const sum = await everything.get_sum({ a: entities.length, b: content.length });
    console.log("stored", entities.length, "entity");
    return { note: content, entities: entities.map((e) => e.name), sum };
  }`;
  const answer = await client.callTool({ name: "execute", arguments: { code } });
  console.log("\nexecute" + (answer.isError ? " (failed)" : "") + ":");
  console.log(text(answer));
  process.exitCode = answer.isError ? 1 : 0;
} finally {
  await client.close();
  rmSync(scratch, { recursive: true, force: true });
}
