#!/usr/bin/env node
// Captures the `tools/list` answers of three reference MCP servers (npm devDependencies) into
// tests/codemode/fixtures/<name>.tools.json, so that the type-generation tests and the token
// measurement run offline on real tool lists. Run it again after upgrading those packages:
//
//   node scripts/capture-tool-lists.mjs
//
// Each server is started over stdio by the MCP SDK's client, which declares every client
// capability (roots, sampling, elicitation, tasks) so that servers which only register some tools
// for capable clients (server-everything does) list all of them.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ListRootsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = join(root, "tests/codemode/fixtures");

// name → how to start it; `scratch` is an empty temporary folder the server may use.
const servers = {
  everything: { pkg: "@modelcontextprotocol/server-everything", args: () => ["stdio"] },
  filesystem: { pkg: "@modelcontextprotocol/server-filesystem", args: (scratch) => [scratch] },
  memory: {
    pkg: "@modelcontextprotocol/server-memory",
    args: () => [],
    env: (scratch) => ({ MEMORY_FILE_PATH: join(scratch, "memory.jsonl") }),
  },
};

function packageInfo(pkg) {
  const dir = join(root, "node_modules", pkg);
  const json = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const bin = typeof json.bin === "string" ? json.bin : Object.values(json.bin)[0];
  return { version: json.version, entry: join(dir, bin) };
}

async function listTools(client) {
  const tools = [];
  let cursor;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

async function capture(name, server) {
  const { version, entry } = packageInfo(server.pkg);
  const scratch = mkdtempSync(join(tmpdir(), `wisp-capture-${name}-`));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [entry, ...server.args(scratch)],
    env: { PATH: process.env.PATH ?? "", ...(server.env?.(scratch) ?? {}) },
    cwd: scratch,
    stderr: "ignore",
  });
  const client = new Client(
    { name: "wisp-capture-tool-lists", version: "1.0.0" },
    {
      capabilities: {
        roots: { listChanged: true },
        sampling: {},
        elicitation: { form: {}, url: {} },
        tasks: { requests: { sampling: { createMessage: {} }, elicitation: { create: {} } } },
      },
    },
  );
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [] }));
  try {
    await client.connect(transport);
    const tools = await listTools(client);
    const file = join(fixtures, `${name}.tools.json`);
    const body = { server: server.pkg, version, tools };
    writeFileSync(file, JSON.stringify(body, null, 2) + "\n");
    console.log(`${name}: ${tools.length} tools from ${server.pkg}@${version} -> ${file}`);
  } finally {
    await client.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

mkdirSync(fixtures, { recursive: true });
for (const [name, server] of Object.entries(servers)) await capture(name, server);
