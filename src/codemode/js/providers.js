// The tools execute() is given, checked and made uniform before any sandbox is built:
//   [{ name, fns: { toolName: async (...args) => result }, prelude? }]   (codemode's ResolvedProvider[])
//   { toolName: async (...args) => result }                              (one provider, "codemode")
// Each provider becomes a namespace in the sandbox (`const <name> = ...`), so its name must be an
// identifier that the sandbox's module does not use itself. Tool names are sanitised as
// codemode does (tool-types.js): `get-item` is called as `ns.get_item(...)`.
import { sanitizeToolName } from "./tool-types.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// Names the sandbox's module uses around the code: @cloudflare/codemode's list, so that the same
// providers are accepted and refused, and wisp's own.
const RESERVED_NAMES = new Set([
  "__dispatchers", "__connectors", "__logs", "__CODEMODE_BINARY_TAG", "__bytesToBase64",
  "__base64ToBytes", "__encodeCodemodeValue", "__decodeCodemodeValue", "__stringifyForCodemode",
  "__parseForCodemode", "WorkerEntrypoint", "CodeExecutor", "Promise", "setTimeout", "Error", "console",
  "__codemode", "__result",
]);

// -> [{ name, tools: Map<callable name, fn>, prelude }]. Throws a TypeError that says what is wrong.
export function resolveProviders(providersOrFns) {
  const list = Array.isArray(providersOrFns) ? providersOrFns : [{ name: "codemode", fns: providersOrFns }];
  const seen = new Set();
  return list.map((provider) => {
    if (provider === null || typeof provider !== "object") throw new TypeError("Each provider must be an object { name, fns }.");
    const name = provider.name;
    if (typeof name !== "string") throw new TypeError("Each provider needs a name (a string).");
    if (RESERVED_NAMES.has(name)) throw new TypeError(`Provider name "${name}" is reserved`);
    if (!IDENTIFIER.test(name)) throw new TypeError(`Provider name "${name}" is not a valid JavaScript identifier`);
    // A keyword (`delete`, `class`, ...) cannot name a constant; sanitizeToolName renames those.
    if (sanitizeToolName(name) !== name) throw new TypeError(`Provider name "${name}" is a JavaScript reserved word`);
    if (seen.has(name)) throw new TypeError(`Duplicate provider name "${name}"`);
    seen.add(name);
    if (provider.prelude !== undefined && typeof provider.prelude !== "string") {
      throw new TypeError(`The prelude of provider "${name}" must be a string.`);
    }
    return { name, tools: toolsOf(name, provider.fns), prelude: provider.prelude ?? "" };
  });
}

function toolsOf(provider, fns) {
  if (fns === null || typeof fns !== "object") {
    throw new TypeError(`Provider "${provider}" needs its tools as an object of functions (fns).`);
  }
  const tools = new Map();
  const originals = new Map();  // sanitised name -> the name it came from
  for (const [name, fn] of Object.entries(fns)) {
    if (typeof fn !== "function") throw new TypeError(`Tool "${name}" of provider "${provider}" is not a function.`);
    const safe = sanitizeToolName(name);
    if (originals.has(safe)) {
      throw new TypeError(`Tool names "${originals.get(safe)}" and "${name}" both sanitize to "${safe}" in provider "${provider}"`);
    }
    originals.set(safe, name);
    tools.set(safe, fn);
  }
  // The original names work too (`ns["get-item"](...)`) where they do not clash.
  for (const [safe, name] of originals) if (!tools.has(name)) tools.set(name, tools.get(safe));
  return tools;
}
