// The upstream MCP servers' tools as the sandbox sees them: one namespace per upstream (its name,
// sanitised), one async method per tool (its name, sanitised). What `search` and `describe` read,
// and the functions `execute` hands the sandbox.
//
// `codemode` is { generateTypes, sanitizeToolName } (wisp:codemode, or tool-types.js in tests):
// passed in, so that this module has no imports and runs under Node too.

// lists: what env.UPSTREAMS.listTools() gives, [{ name, tools: [MCP Tool], error? }].
export class ToolCatalog {
  #codemode;

  constructor(lists, codemode) {
    this.#codemode = codemode;
    const seen = new Map();
    this.namespaces = lists.map((list) => {
      const name = codemode.sanitizeToolName(list.name);
      if (seen.has(name)) {
        throw new TypeError(`The upstreams '${seen.get(name)}' and '${list.name}' have the same namespace '${name}'.`);
      }
      seen.set(name, list.name);
      const tools = (list.tools ?? []).map((tool) => ({ tool, method: codemode.sanitizeToolName(tool.name) }));
      return { name, server: list.name, error: list.error, tools };
    });
  }

  // [{ namespace, method, tool, server }] for every tool, in upstream order.
  *entries() {
    for (const ns of this.namespaces) {
      for (const { tool, method } of ns.tools) yield { namespace: ns.name, method, tool, server: ns.server };
    }
  }

  // Tools whose name or description has the query's words, best first. A word in the name counts
  // more than one in the description; a namespace's name matches all of its tools. An empty query
  // lists every tool. Returns [{ path: "ns.method", description }] (the first line only).
  search(query, limit = 10) {
    const words = String(query ?? "").toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    const found = [];
    let order = 0;
    for (const { namespace, method, tool } of this.entries()) {
      const name = `${namespace} ${method} ${tool.name}`.toLowerCase();
      const description = String(tool.description ?? "").toLowerCase();
      let score = words.length ? 0 : 1;
      for (const word of words) {
        if (name.includes(word)) score += 3;
        else if (description.includes(word)) score += 1;
      }
      if (score > 0) found.push({ score, order: order++, path: `${namespace}.${method}`, description: firstLine(tool.description) });
    }
    found.sort((a, b) => b.score - a.score || a.order - b.order);
    return found.slice(0, limit).map(({ path, description }) => ({ path, description }));
  }

  // The TypeScript declarations of the named tools ("ns.method", or a tool name alone when only
  // one namespace has it) and namespaces ("ns": all its tools). Throws a TypeError naming what it
  // does not know.
  describe(names) {
    const chosen = new Map();  // namespace -> Set of methods (null: all)
    const unknown = [];
    for (const raw of names) {
      const target = String(raw).trim();
      const ns = this.namespaces.find((n) => n.name === target || n.server === target);
      if (ns) {
        chosen.set(ns.name, null);
        continue;
      }
      const matches = [...this.entries()].filter(({ namespace, method, tool }) =>
        target === `${namespace}.${method}` || target === method || target === tool.name);
      const exact = matches.filter(({ namespace, method }) => target === `${namespace}.${method}`);
      const pick = exact.length ? exact : matches;
      if (pick.length !== 1) {
        unknown.push(pick.length ? `${target} (in ${pick.map((m) => m.namespace).join(", ")}: say which)` : target);
        continue;
      }
      const { namespace, method } = pick[0];
      if (chosen.get(namespace) === null) continue;
      if (!chosen.has(namespace)) chosen.set(namespace, new Set());
      chosen.get(namespace).add(method);
    }
    if (unknown.length) {
      throw new TypeError(`No such tool or namespace: ${unknown.join("; ")}. Use search to find tools.`);
    }
    const providers = [];
    for (const ns of this.namespaces) {
      if (!chosen.has(ns.name)) continue;
      const methods = chosen.get(ns.name);
      const tools = ns.tools.filter(({ method }) => methods === null || methods.has(method)).map(({ tool }) => tool);
      providers.push({ namespace: ns.server, tools });
    }
    return this.#codemode.generateTypes(providers);
  }

  // The executor's providers: [{ name, fns: { method: async (input) => value } }], each call going
  // to `callTool(server, toolName, input)` (a CallToolResult), unwrapped by toolResultValue.
  providers(callTool) {
    return this.namespaces.map((ns) => {
      const fns = {};
      for (const { tool, method } of ns.tools) {
        fns[method] = async (input) => toolResultValue(await callTool(ns.server, tool.name, input ?? {}));
      }
      return { name: ns.name, fns };
    });
  }
}

// What sandboxed code gets from a tool call, given the upstream's CallToolResult:
//   isError                   -> throws an Error with the result's text
//   structuredContent         -> that value (what the tool's outputSchema describes)
//   one text item             -> its text parsed as JSON, or the text itself when it is not JSON
//   several text items        -> an array of those, one per item
//   no text (images, ...)     -> the whole result
export function toolResultValue(result) {
  if (result === null || typeof result !== "object") return result;
  const texts = (Array.isArray(result.content) ? result.content : [])
    .filter((item) => item && item.type === "text" && typeof item.text === "string")
    .map((item) => item.text);
  if (result.isError) throw new Error(texts.join("\n") || "The tool reported an error.");
  if (result.structuredContent !== undefined) return result.structuredContent;
  if (texts.length === 0) return result;
  const values = texts.map(parseOrText);
  return values.length === 1 ? values[0] : values;
}

function parseOrText(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function firstLine(text) {
  const line = String(text ?? "").trim().split("\n")[0].trim();
  return line.length > 160 ? line.slice(0, 157) + "..." : line;
}
