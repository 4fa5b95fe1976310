#!/usr/bin/env node
// An upstream MCP server (stdio) for the tests of upstreams that fail: `pid` answers its process
// id (so a test sees a restart), `crash` exits without answering, `refuse` answers a tool error.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const server = new Server({ name: "fragile", version: "1.0.0" }, { capabilities: { tools: {} } });
const noInput = { type: "object", properties: {} };

server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    { name: "pid", description: "This process's id", inputSchema: noInput,
      outputSchema: { type: "object", properties: { pid: { type: "number" } }, required: ["pid"] } },
    { name: "crash", description: "Exits at once, without answering", inputSchema: noInput },
    { name: "refuse", description: "Answers with a tool error", inputSchema: noInput },
  ],
}));

server.setRequestHandler(CallToolRequestSchema, async (request) => {
  switch (request.params.name) {
    case "pid":
      return { content: [{ type: "text", text: JSON.stringify({ pid: process.pid }) }], structuredContent: { pid: process.pid } };
    case "crash":
      process.exit(3);
    case "refuse":
      return { content: [{ type: "text", text: "refused: this tool always fails" }], isError: true };
    default:
      throw new Error(`no tool ${request.params.name}`);
  }
});

await server.connect(new StdioServerTransport());
