// The three tools the MCP server offers a model: `execute` (run code against the upstream tools'
// API), `search` (find tools by keywords) and `describe` (read their TypeScript declarations).
// Each answer is a CallToolResult with one text item; see docs/codemode.md for its shape.
//
// deps: { catalog(): Promise<ToolCatalog>, execute(code, providers): Promise<{result, error?,
// logs}>, callTool(server, tool, input): Promise<CallToolResult> }.

const searchLimit = { default: 10, max: 50 };

// The tools/list entries. `catalog` is what the upstreams offer now: execute's description names
// the namespaces and their tools (not their types: those come from describe).
export function toolDefinitions(catalog) {
  return [
    {
      name: "execute",
      title: "Run code against the tools",
      description: executeDescription(catalog),
      inputSchema: {
        type: "object",
        properties: {
          code: {
            type: "string",
            description: "JavaScript: an async arrow function, e.g. `async () => { const r = await ns.tool({...}); return r; }`, or statements whose last expression is the result.",
          },
        },
        required: ["code"],
        additionalProperties: false,
      },
    },
    {
      name: "search",
      title: "Find tools",
      description: "Find tools of the `execute` API by keywords. Returns matching tools as `namespace.method` with the first line of their description, best matches first. Then read their types with `describe`.",
      inputSchema: {
        type: "object",
        properties: {
          query: { type: "string", description: "Keywords, e.g. \"read file\" or \"create entities\". Empty lists every tool." },
          limit: { type: "integer", minimum: 1, maximum: searchLimit.max, default: searchLimit.default, description: "At most this many tools." },
        },
        required: ["query"],
        additionalProperties: false,
      },
    },
    {
      name: "describe",
      title: "Read tool types",
      description: "The TypeScript declarations of tools of the `execute` API: their inputs, outputs and documentation. Name tools as `namespace.method` (or the method alone when it is unique), or a namespace for all of its tools.",
      inputSchema: {
        type: "object",
        properties: {
          names: {
            type: "array",
            items: { type: "string" },
            minItems: 1,
            description: "e.g. [\"memory.create_entities\", \"fs\"]",
          },
        },
        required: ["names"],
        additionalProperties: false,
      },
    },
  ];
}

function executeDescription(catalog) {
  const lines = [
    "Run JavaScript in a fresh sandbox, with one global object per upstream MCP server whose async methods call that server's tools. Use it to chain several tool calls and compute over their results in one step.",
    "",
    "Namespaces and their tools:",
  ];
  for (const ns of catalog.namespaces) {
    if (ns.error) lines.push(`- ${ns.name}: unavailable (${ns.error})`);
    else lines.push(`- ${ns.name}: ${ns.tools.map((t) => t.method).join(", ") || "(no tools)"}`);
  }
  lines.push(
    "",
    "Before calling a tool, read its types with `describe` (e.g. names: [\"ns.method\"]); find tools with `search`.",
    "Each method takes one object argument and returns a promise: `await ns.method({ key: value })`. It resolves to the tool's structured result, else its text (parsed as JSON when it is JSON); a tool error throws an Error.",
    "Write an async arrow function that returns the result, e.g. `async () => { const a = await ns.first({}); return a.items.length; }`, or plain statements whose last expression is the result. TypeScript annotations are accepted. The result must be JSON-serialisable. console.log() output is returned with it.",
    "The sandbox has no network access (fetch() is blocked) and CPU and memory limits.",
    "The answer is JSON: {\"result\": ..., \"logs\": [...]} or, when the code failed, {\"error\": \"...\", \"logs\": [...]}.",
  );
  return lines.join("\n");
}

// Runs tool `name` with `args`. Returns a CallToolResult, or null for a tool this server does not
// have (the caller answers with a JSON-RPC error). Never throws for what the code or an upstream
// did: that is a result with isError.
export async function callTool(name, args, deps) {
  const input = args ?? {};
  if (typeof input !== "object" || Array.isArray(input)) return failed("The arguments must be an object.");
  try {
    switch (name) {
      case "execute":
        return await runExecute(input, deps);
      case "search":
        return await runSearch(input, deps);
      case "describe":
        return await runDescribe(input, deps);
      default:
        return null;
    }
  } catch (e) {
    return failed(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
}

async function runExecute(input, deps) {
  if (typeof input.code !== "string") return failed("'code' must be a string of JavaScript.");
  const catalog = await deps.catalog();
  const outcome = await deps.execute(input.code, catalog.providers(deps.callTool));
  const logs = outcome.logs ?? [];
  if (outcome.error !== undefined && outcome.error !== null) {
    return failed(JSON.stringify({ error: String(outcome.error), logs }));
  }
  return text(JSON.stringify({ result: outcome.result === undefined ? null : outcome.result, logs }));
}

async function runSearch(input, deps) {
  if (typeof input.query !== "string") return failed("'query' must be a string.");
  let limit = input.limit ?? searchLimit.default;
  if (!Number.isInteger(limit) || limit < 1) return failed("'limit' must be a positive integer.");
  limit = Math.min(limit, searchLimit.max);
  const catalog = await deps.catalog();
  const found = catalog.search(input.query, limit);
  const lines = found.map(({ path, description }) => (description ? `${path}: ${description}` : path));
  const down = catalog.namespaces.filter((ns) => ns.error).map((ns) => `(${ns.name} is unavailable: ${ns.error})`);
  if (!lines.length) lines.push(`No tool matches '${input.query}'.`);
  return text([...lines, ...down].join("\n"));
}

async function runDescribe(input, deps) {
  let names = input.names;
  if (typeof names === "string") names = [names];
  if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== "string")) {
    return failed("'names' must be a non-empty array of strings.");
  }
  const catalog = await deps.catalog();
  return text(catalog.describe(names));
}

function text(value) {
  return { content: [{ type: "text", text: value }] };
}

function failed(message) {
  return { content: [{ type: "text", text: message }], isError: true };
}
