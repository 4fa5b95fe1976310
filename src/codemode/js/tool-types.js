// Tool definitions with JSON Schema (MCP `tools/list`, or plain JSON) → the TypeScript
// declarations an agent reads before it writes code that calls those tools:
//
//   declare const math: {
//     /** Adds two numbers */
//     add(input: { a: number; b: number }): Promise<unknown>;
//   };
//
// One `declare const <namespace>` per provider, one method per tool, JSDoc from descriptions and
// constraints. Objects are written inline (on one line when short and undocumented). Named
// `type` aliases are declared first, for three things only: `$defs`/`definitions` entries,
// schemas that refer to themselves, and multi-line object types that occur more than once in the
// whole output (the same entity in a tool's input and in three outputs is written once).
// Tool and namespace names are sanitised as @cloudflare/codemode does, so code written against its
// types calls the same methods. The output depends only on the input, in its order.
//
// Two steps: schemas become a small tree of types (`TypeBuilder`), then the trees are printed
// (`Printer`), which is where repeated object types are swapped for names.
//
// No imports and no host APIs: this module runs inside a wisp isolate and under Node alike.

// The reserved words codemode's sanitizeToolName guards against (JS keywords, strict-mode and
// future reserved words, and a few Java-era ones), so that both produce the same names.
const RESERVED_WORDS = new Set([
  "abstract", "arguments", "await", "boolean", "break", "byte", "case", "catch", "char", "class",
  "const", "continue", "debugger", "default", "delete", "do", "double", "else", "enum", "eval",
  "export", "extends", "false", "final", "finally", "float", "for", "function", "goto", "if",
  "implements", "import", "in", "instanceof", "int", "interface", "let", "long", "native", "new",
  "null", "package", "private", "protected", "public", "return", "short", "static", "super",
  "switch", "synchronized", "this", "throw", "throws", "transient", "true", "try", "typeof",
  "undefined", "var", "void", "volatile", "while", "with", "yield",
]);

// Global type names of the ES, DOM and Workers libraries that a named type must not redeclare
// (the declarations are global, and `type Node = ...` next to lib.dom's Node does not compile).
const GLOBAL_TYPE_NAMES = new Set([
  "Array", "ArrayBuffer", "ArrayLike", "Awaited", "BigInt", "Boolean", "DataView", "Date",
  "Error", "Exclude", "Extract", "Function", "InstanceType", "Intl", "Iterable", "Iterator",
  "JSON", "Map", "Math", "NonNullable", "Number", "Object", "Omit", "Parameters", "Partial",
  "Pick", "Promise", "PromiseLike", "Proxy", "Readonly", "ReadonlyArray", "Record", "Reflect",
  "RegExp", "Required", "ReturnType", "Set", "String", "Symbol", "WeakMap", "WeakRef", "WeakSet",
  "Capitalize", "Lowercase", "Uppercase", "Uncapitalize", "ThisType", "NoInfer",
  "AbortController", "AbortSignal", "Animation", "Attr", "Audio", "Blob", "Body", "Cache",
  "CacheStorage", "Comment", "Console", "Credential", "Crypto", "CryptoKey", "CustomEvent",
  "Document", "DOMException", "Element", "Event", "EventTarget", "File", "FileList", "FormData",
  "Headers", "History", "Image", "ImageData", "Location", "Lock", "MessageChannel", "MessagePort",
  "Navigator", "Node", "NodeList", "Notification", "Option", "Path2D", "Performance",
  "Permissions", "Plugin", "Range", "ReadableStream", "Report", "Request", "Response", "Screen",
  "Selection", "ServiceWorker", "Storage", "Text", "TextDecoder", "TextEncoder", "Touch",
  "TransformStream", "URL", "URLPattern", "URLSearchParams", "WebSocket", "Window", "Worker",
  "WritableStream", "Fetcher", "WorkerEntrypoint",
]);

// Turns a tool (or namespace) name into a JavaScript identifier, by codemode's rules:
// "-", "." and whitespace become "_", other characters outside [A-Za-z0-9_$] are dropped, a
// leading digit gets a "_" in front, a reserved word gets a "_" after; nothing left gives "_".
//   "get-item" → "get_item", "3d-render" → "_3d_render", "delete" → "delete_"
export function sanitizeToolName(name) {
  const text = String(name ?? "").replace(/[-.\s]/g, "_").replace(/[^A-Za-z0-9_$]/g, "");
  if (text === "") return "_";
  const safe = /^[0-9]/.test(text) ? `_${text}` : text;
  return RESERVED_WORDS.has(safe) ? `${safe}_` : safe;
}

// providers: [{ namespace, description?, tools: [{ name, description?, inputSchema, outputSchema? }] }]
// (`tools` as in an MCP `tools/list` result). Returns the declarations as one string: the named
// types, then one `declare const` per provider. Throws a TypeError when two tools of a provider,
// or two providers, end up with the same sanitised name.
export function generateTypes(providers) {
  if (!Array.isArray(providers)) throw new TypeError("generateTypes() expects an array of providers.");
  const named = new NamedTypes();
  const namespaces = new Map();
  const built = providers.map((provider) => {
    const namespace = sanitizeToolName(provider?.namespace ?? "codemode");
    claimUnique(namespaces, namespace, provider?.namespace, "Providers");
    return buildProvider(provider, namespace, named);
  });

  const printer = new Printer(named);
  printer.count([...named.nodes(), ...built.flatMap((p) => p.tools.flatMap((t) => [t.input, t.output]))]);
  const blocks = built.map((provider) => printProvider(provider, printer));
  return [named.print(printer), ...blocks].filter((text) => text !== "").join("\n\n") + "\n";
}

function claimUnique(seen, safe, original, what) {
  if (seen.has(safe)) throw new TypeError(`${what} "${seen.get(safe)}" and "${original}" both become "${safe}".`);
  seen.set(safe, original);
}

function buildProvider(provider, namespace, named) {
  const methods = new Map();
  const tools = (Array.isArray(provider?.tools) ? provider.tools : []).map((tool) => {
    if (!isObject(tool)) throw new TypeError(`A tool of "${namespace}" is ${json(tool)}, not an object.`);
    const method = sanitizeToolName(tool.name);
    claimUnique(methods, method, tool.name, "Tools");
    const label = pascalCase(method);
    const input = tool.inputSchema === undefined ? null : new SchemaRoot(tool.inputSchema, `${label}Input`, named);
    const output = tool.outputSchema === undefined ? null : new SchemaRoot(tool.outputSchema, `${label}Output`, named);
    const doc = textLines(tool.description);
    if (input && describe(input.schema)) doc.push(`@param input ${oneLine(describe(input.schema))}`);
    if (output && describe(output.schema)) doc.push(`@returns ${oneLine(describe(output.schema))}`);
    return {
      method,
      doc,
      input: input ? input.build() : UNKNOWN,
      optionalInput: !input || input.acceptsNothing(),
      output: output ? output.build() : UNKNOWN,
    };
  });
  return { namespace, doc: textLines(provider?.description), tools };
}

const INDENT = "  ";

function printProvider(provider, printer) {
  const lines = provider.tools.flatMap((tool) => {
    const input = indentLines(printer.print(tool.input).text, INDENT);
    const output = indentLines(printer.print(tool.output).text, INDENT);
    const optional = tool.optionalInput ? "?" : "";
    return [...jsdoc(tool.doc, INDENT), `${INDENT}${tool.method}(input${optional}: ${input}): Promise<${output}>;`];
  });
  const body = lines.length === 0 ? "{}" : `{\n${lines.join("\n")}\n}`;
  return [...jsdoc(provider.doc, ""), `declare const ${provider.namespace}: ${body};`].join("\n");
}

// ---------------------------------------------------------------------------------------------
// The type tree. Leaves carry their text; inner nodes are printed by `Printer`.

const UNION = 1;
const INTERSECTION = 2;
const PRIMARY = 3;  // binds tightest: may take `[]` without parentheses

const leaf = (text, prec = PRIMARY) => ({ kind: "leaf", text, prec });
const UNKNOWN = leaf("unknown");
const NEVER = leaf("never");
const NULL = leaf("null");
const UNDEFINED = leaf("undefined");

function union(types) {
  const members = [];
  for (const type of types) {
    for (const member of type.kind === "union" ? type.members : [type]) {
      if (member === UNKNOWN) return UNKNOWN;
      if (member !== NEVER && !members.some((m) => sameType(m, member))) members.push(member);
    }
  }
  if (members.length === 0) return NEVER;
  return members.length === 1 ? members[0] : { kind: "union", members };
}

function intersection(types) {
  const members = [];
  for (const type of types) {
    if (type === NEVER) return NEVER;
    if (type !== UNKNOWN && !members.some((m) => sameType(m, type))) members.push(type);
  }
  if (members.length === 0) return UNKNOWN;
  return members.length === 1 ? members[0] : { kind: "intersection", members };
}

function literal(value) {
  if (value === null) return NULL;
  if (typeof value === "number" && value < 0) return leaf(JSON.stringify(value), UNION);  // `(-1)[]`
  if (["string", "number", "boolean", "object"].includes(typeof value)) return leaf(JSON.stringify(value));
  return UNKNOWN;
}

// Fully inline text: what a type is, whatever gets named when printing. Cached per node (the tree
// does not change once built).
const inlineTexts = new WeakMap();
function inlineText(type) {
  if (type.kind === "leaf") return type.text;
  if (!inlineTexts.has(type)) inlineTexts.set(type, INLINE.printUncached(type).text);
  return inlineTexts.get(type);
}

function sameType(a, b) {
  return a === b || inlineText(a) === inlineText(b);
}

// ---------------------------------------------------------------------------------------------
// Named types.

class NamedTypes {
  #byIdentity = new Map();  // what a type is → its name
  #taken = new Set(GLOBAL_TYPE_NAMES);
  #declarations = [];  // { name, doc, type }, in the order names were given out

  // The name for the type with this identity. The first time, `build(name)` makes its type; it is
  // called once the name is known, so that a schema can refer to itself.
  nameFor(base, identity, build) {
    const known = this.#byIdentity.get(identity);
    if (known) return known;
    let name = base;
    for (let i = 2; this.#taken.has(name); i++) name = `${base}${i}`;
    this.#taken.add(name);
    this.#byIdentity.set(identity, name);
    const declaration = { name, doc: [], type: UNKNOWN };
    this.#declarations.push(declaration);
    Object.assign(declaration, build(name));
    // The same object written inline elsewhere is this type too.
    const { type } = declaration;
    if (type.kind === "object" && !this.#byIdentity.has(shapeIdentity(type))) this.#byIdentity.set(shapeIdentity(type), name);
    return name;
  }

  nodes() {
    return this.#declarations.map((d) => d.type);
  }

  // Printing may name more (repeated) types, which are appended and printed in turn.
  print(printer) {
    const lines = [];
    for (let i = 0; i < this.#declarations.length; i++) {
      const { name, doc, type } = this.#declarations[i];
      const text = (type.kind === "object" ? printer.printObject(type) : printer.print(type)).text;
      lines.push(...jsdoc(doc, ""), `type ${name} = ${text};`);
    }
    return lines.join("\n");
  }
}

// Prints type trees. With `named`, a multi-line object type that occurs more than once in
// everything `count()` saw is declared once under a name taken from where it first occurs.
class Printer {
  #named;
  #counts = new Map();  // inline text of an object type → occurrences
  #decisions = new Map();  // inline text → whether to name it

  constructor(named) {
    this.#named = named;
  }

  // Counts every occurrence, also inside other repeated objects: the innermost repeated object is
  // named first, which often leaves the ones around it short enough to stay inline.
  count(types) {
    const visit = (type) => {
      if (type.kind === "object") {
        const key = inlineText(type);
        this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
      }
      for (const child of children(type)) visit(child);
    };
    for (const type of types) visit(type);
  }

  print(type) {
    if (this.#named === null && type.kind !== "leaf") return { text: inlineText(type), prec: precedence(type) };
    return this.printUncached(type);
  }

  printUncached(type) {
    switch (type.kind) {
      case "leaf": return type;
      case "union": return { text: type.members.map((m) => this.print(m).text).join(" | "), prec: UNION };
      case "intersection":
        return { text: type.members.map((m) => this.#operand(m, INTERSECTION)).join(" & "), prec: INTERSECTION };
      case "array": return leaf(`${this.#operand(type.item, PRIMARY)}[]`);
      case "tuple": {
        const elements = type.elements.map((e) => (e.optional ? `${this.#operand(e.type, PRIMARY)}?` : this.print(e.type).text));
        if (type.rest) elements.push(`...${this.print({ kind: "array", item: type.rest }).text}`);
        return leaf(`[${elements.join(", ")}]`);
      }
      case "record": {
        // `type Json = ... | Record<string, Json>` would be a circular alias; an index signature is not.
        const value = this.print(type.value).text;
        return leaf(refersToName(type.value) ? `{ [key: string]: ${value} }` : `Record<string, ${value}>`);
      }
      case "object": return this.#shouldName(type) ? leaf(this.#nameOf(type)) : this.printObject(type);
    }
    return UNKNOWN;
  }

  // Short undocumented objects stay on one line: `{ a: string; b?: number }`.
  printObject(type) {
    const members = type.members.map((m) => ({ doc: m.doc, text: `${m.key}: ${this.print(m.type).text};` }));
    if (members.every((m) => m.doc.length === 0 && !m.text.includes("\n"))) {
      const line = `{ ${members.map((m) => m.text.slice(0, -1)).join("; ")} }`;
      if (line.length <= ONE_LINE_LIMIT) return leaf(line);
    }
    const lines = members.flatMap((m) => [...jsdoc(m.doc, INDENT), INDENT + indentLines(m.text, INDENT)]);
    return leaf(`{\n${lines.join("\n")}\n}`);
  }

  #operand(type, prec) {
    const printed = this.print(type);
    return printed.prec < prec ? `(${printed.text})` : printed.text;
  }

  #shouldName(type) {
    if (!this.#named) return false;
    const key = inlineText(type);
    if (!this.#decisions.has(key)) {
      this.#decisions.set(key, false);  // while deciding: print it inline
      this.#decisions.set(key, (this.#counts.get(key) ?? 0) > 1 && this.printObject(type).text.includes("\n"));
    }
    return this.#decisions.get(key);
  }

  #nameOf(type) {
    return this.#named.nameFor(type.hint, shapeIdentity(type), () => ({ doc: [], type }));
  }
}

function shapeIdentity(type) {
  return `shape\0${inlineText(type)}`;
}

const ONE_LINE_LIMIT = 80;
const INLINE = new Printer(null);

function precedence(type) {
  if (type.kind === "union") return UNION;
  if (type.kind === "intersection") return INTERSECTION;
  return type.kind === "leaf" ? type.prec : PRIMARY;
}

function refersToName(type) {
  return type.named === true || children(type).some(refersToName);
}

function children(type) {
  switch (type.kind) {
    case "union": case "intersection": return type.members;
    case "array": return [type.item];
    case "tuple": return [...type.elements.map((e) => e.type), ...(type.rest ? [type.rest] : [])];
    case "record": return [type.value];
    case "object": return type.members.map((m) => m.type);
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// One root schema (a tool's input or output): resolves its `#/...` references and decides which of
// them become named types.

class SchemaRoot {
  #names = new Map();  // JSON pointer → type name, or null when the target is written inline
  #edges = new Map();  // JSON pointer → the pointers referenced inside its target
  #namedTargets = new Map();  // schema object → pointer, for targets that get a name

  constructor(schema, label, named) {
    this.schema = schema;
    this.label = label;
    this.named = named;
    // A named schema is written as its name wherever it occurs, also where it is not reached
    // through a reference (`self: {... $ref: "#/properties/self"}`, or the root for "#").
    const refs = new Set();
    collectRefs(schema, refs);
    for (const pointer of refs) {
      const target = this.resolve(pointer);
      if (isObject(target) && !this.#namedTargets.has(target) && this.#needsName(pointer)) this.#namedTargets.set(target, pointer);
    }
  }

  build() {
    return new TypeBuilder(this).build(this.schema, this.label);
  }

  // The name a schema object is written as, or null.
  nameOfTarget(schema) {
    const pointer = this.#namedTargets.get(schema);
    return pointer === undefined ? null : this.typeName(pointer);
  }

  // True when `{}` (or nothing) is a valid input, so callers may leave the argument out.
  acceptsNothing() {
    const s = this.schema;
    if (s === true || (isObject(s) && !hasShape(s))) return true;
    if (!isObject(s) || s.$ref !== undefined || COMBINATORS.some((k) => s[k] !== undefined)) return false;
    if (Object.hasOwn(s, "enum") || Object.hasOwn(s, "const")) return false;
    const types = schemaTypes(s);
    return types.length === 1 && types[0] === "object" && !(Array.isArray(s.required) && s.required.length > 0);
  }

  resolve(pointer) {
    if (typeof pointer !== "string" || (pointer !== "#" && !pointer.startsWith("#/"))) return undefined;
    let node = this.schema;
    for (const raw of pointer === "#" ? [] : pointer.slice(2).split("/")) {
      const key = decodePointerSegment(raw);
      if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return undefined;
      node = node[key];
    }
    return typeof node === "boolean" || isObject(node) ? node : undefined;
  }

  // The name of the type a reference points to, or null when its target is written inline.
  typeName(pointer) {
    if (this.#names.has(pointer)) return this.#names.get(pointer);
    const target = this.resolve(pointer);
    if (target === undefined || !this.#needsName(pointer)) {
      this.#names.set(pointer, null);
      return null;
    }
    const identity = pointer === "#" ? `root\0${this.label}\0${json(target)}` : this.#identity(pointer);
    const base = this.#baseName(pointer);
    const name = this.named.nameFor(base, identity, (given) => {
      this.#names.set(pointer, given);  // known before the body is built, for self-references
      const type = this.#aliasesInACircle(pointer) ? UNKNOWN : new TypeBuilder(this).buildBody(target, base);
      return { doc: docLines(target), type };
    });
    this.#names.set(pointer, name);
    return name;
  }

  // `A: {$ref: B}, B: {$ref: A}` (or A to itself) says nothing, and `type A = B; type B = A;`
  // would not compile: such entries are `unknown`.
  #aliasesInACircle(pointer) {
    const seen = new Set();
    for (let at = pointer; !seen.has(at); ) {
      seen.add(at);
      const target = this.resolve(at);
      if (!isObject(target) || typeof target.$ref !== "string") return false;
      const { $ref, ...siblings } = target;
      if (hasShape(siblings)) return false;
      at = $ref;
    }
    return true;
  }

  // `$defs` entries are named as their authors named them; any other target is inlined unless it
  // refers back to itself (the root "#", or a cycle through other references).
  #needsName(pointer) {
    if (pointer === "#" || /^#\/(\$defs|definitions)\/[^/]+$/.test(pointer)) return true;
    const seen = new Set();
    const stack = [...this.#refsUnder(pointer)];
    while (stack.length > 0) {
      const next = stack.pop();
      if (next === pointer) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...this.#refsUnder(next));
    }
    return false;
  }

  #refsUnder(pointer) {
    if (!this.#edges.has(pointer)) {
      const refs = new Set();
      collectRefs(this.resolve(pointer), refs);
      this.#edges.set(pointer, refs);
    }
    return this.#edges.get(pointer);
  }

  // Two references are the same type when their targets and everything those refer to are equal
  // (so the same `$defs` entry in two tools' schemas is declared once).
  #identity(pointer) {
    const reached = new Set([pointer]);
    const stack = [pointer];
    while (stack.length > 0) {
      for (const next of this.#refsUnder(stack.pop())) {
        if (reached.has(next)) continue;
        reached.add(next);
        stack.push(next);
      }
    }
    reached.delete(pointer);
    return json([this.resolve(pointer), ...[...reached].sort().map((p) => [p, this.resolve(p) ?? null])]);
  }

  #baseName(pointer) {
    if (pointer === "#") return this.label;
    const segments = pointer.slice(2).split("/").map(decodePointerSegment);
    if (segments[0] === "$defs" || segments[0] === "definitions") return pascalCase(segments[1]);
    const last = segments.reverse().find((s) => !/^\d+$/.test(s) && !SCHEMA_KEYWORDS.has(s));
    return this.label + (last ? pascalCase(last) : "");
  }
}

// A JSON pointer segment inside a URI fragment: percent-encoded, then ~1 for "/" and ~0 for "~".
function decodePointerSegment(raw) {
  let text = raw;
  try {
    text = decodeURIComponent(raw);
  } catch {
    // not percent-encoded after all: use it as written
  }
  return text.replace(/~1/g, "/").replace(/~0/g, "~");
}

const SCHEMA_KEYWORDS = new Set(["properties", "items", "prefixItems", "additionalProperties",
  "patternProperties", "anyOf", "oneOf", "allOf", "not", "$defs", "definitions", "additionalItems"]);

// Every `$ref` inside a schema, in document order. Iterative, and safe on shared or cyclic objects.
function collectRefs(schema, refs) {
  const seen = new Set();
  const stack = [schema];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object" || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      stack.push(...[...node].reverse());
      continue;
    }
    if (typeof node.$ref === "string") refs.add(node.$ref);
    const values = Object.entries(node).filter(([key]) => !LITERAL_KEYS.has(key)).map(([, value]) => value);
    stack.push(...values.reverse());
  }
}

// Keywords whose values are data, not schemas.
const LITERAL_KEYS = new Set(["enum", "const", "default", "examples"]);

// ---------------------------------------------------------------------------------------------
// Schema → type tree.

// Keywords that describe or constrain a value without changing its TypeScript type.
const ANNOTATION_KEYS = new Set(["$schema", "$id", "$comment", "title", "description", "default",
  "examples", "deprecated", "readOnly", "writeOnly", "format", "$defs", "definitions", "nullable",
  "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
  "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
  "contentEncoding", "contentMediaType", "additionalItems"]);

const COMBINATORS = ["allOf", "anyOf", "oneOf"];
const MAX_DEPTH = 64;  // deeper schemas become `unknown` rather than overflowing the stack

class TypeBuilder {
  #inlining = new Set();  // references being written inline right now (a guard against cycles)
  #depth = 0;

  constructor(root) {
    this.root = root;
  }

  // `hint` names an object type if it gets declared on its own: the property it is the value of,
  // in the singular for array items.
  build(schema, hint) {
    const name = isObject(schema) ? this.root.nameOfTarget(schema) : null;
    return name === null ? this.buildBody(schema, hint) : { ...leaf(name), named: true };
  }

  // The type of a schema itself, even if it has a name (for its declaration).
  buildBody(schema, hint) {
    if (schema === false) return NEVER;
    if (!isObject(schema) || this.#depth >= MAX_DEPTH) return UNKNOWN;
    this.#depth++;
    try {
      const type = this.#buildShape(schema, hint);
      return schema.nullable === true ? union([type, NULL]) : type;
    } finally {
      this.#depth--;
    }
  }

  #buildShape(schema, hint) {
    if (typeof schema.$ref === "string") return this.#buildRef(schema, hint);
    if (COMBINATORS.some((k) => Array.isArray(schema[k]))) return this.#buildCombination(schema, hint);
    if (Object.hasOwn(schema, "const")) return literal(schema.const);
    if (Array.isArray(schema.enum)) return union(schema.enum.map(literal));
    const types = schemaTypes(schema);
    if (types.length === 0) return UNKNOWN;  // `{}` allows anything
    return union(types.map((type) => {
      switch (type) {
        case "string": return leaf("string");
        case "number": case "integer": return leaf("number");
        case "boolean": return leaf("boolean");
        case "null": return NULL;
        case "array": return this.#buildArray(schema, hint);
        case "object": return this.#buildObject(schema, hint);
      }
      return UNKNOWN;
    }));
  }

  #buildRef(schema, hint) {
    const pointer = schema.$ref;
    const name = this.root.typeName(pointer);
    let type = UNKNOWN;  // an external or dangling reference
    if (name !== null) {
      type = { ...leaf(name), named: true };
    } else {
      const target = this.root.resolve(pointer);
      if (target !== undefined && !this.#inlining.has(pointer)) {
        this.#inlining.add(pointer);
        type = this.build(target, hint);
        this.#inlining.delete(pointer);
      }
    }
    // Since draft 2019-09 a $ref may have siblings, which apply as well (as with allOf).
    const { $ref, ...siblings } = schema;
    return hasShape(siblings) ? intersection([type, this.build(siblings, hint)]) : type;
  }

  // allOf folds plain schemas into one object; anyOf/oneOf become a union whose branches each
  // include what the schema around them says (`{properties, anyOf: [{required: [a]}, ...]}`).
  #buildCombination(schema, hint) {
    const { allOf, anyOf, oneOf, nullable, ...base } = schema;
    let merged = base;
    const intersected = [];
    for (const part of Array.isArray(allOf) ? allOf : []) {
      const folded = mergeSchemas(merged, part);
      if (folded) merged = folded;
      else intersected.push(this.build(part, hint));
    }
    const unions = [anyOf, oneOf].filter(Array.isArray);
    const parts = [];
    if (unions.length === 0 && hasShape(merged)) parts.push(this.build(merged, hint));
    // `{properties, anyOf: [{required: ["id"]}, {required: ["name"]}]}`: the object once, and which
    // of its properties each branch requires: `{...} & ({ id: string } | { name: string })`.
    if (unions.length === 1 && isObject(merged.properties) && unions[0].every(onlyRequires)) {
      const requirements = unions[0].map((branch) => this.#buildRequirement(merged, branch));
      return intersection([this.build(merged, hint), union(requirements), ...intersected]);
    }
    unions.forEach((branches, i) => {
      const around = i === 0 && hasShape(merged) ? withoutAnnotations(merged) : null;
      parts.push(union(branches.map((branch) => {
        if (!around) return this.build(branch, hint);
        const folded = mergeSchemas(around, branch);
        return folded ? this.build(folded, hint) : intersection([this.build(around, hint), this.build(branch, hint)]);
      })));
    });
    return intersection([...parts, ...intersected]);
  }

  #buildRequirement(schema, branch) {
    const keys = Array.isArray(branch.required) ? branch.required : [];
    if (keys.length === 0) return UNKNOWN;
    const members = keys.map((key) => ({
      doc: [],
      key: propertyKey(key),
      type: Object.hasOwn(schema.properties, key) ? this.build(schema.properties[key], pascalCase(key)) : UNKNOWN,
    }));
    return { kind: "object", members, hint: "Requirement" };
  }

  #buildArray(schema, hint) {
    const itemHint = singular(hint);
    const tuple = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : null;
    if (!tuple) {
      return { kind: "array", item: schema.items === undefined ? UNKNOWN : this.build(schema.items, itemHint) };
    }
    // Tuples are closed unless the schema says what may follow.
    const rest = Array.isArray(schema.prefixItems) ? schema.items : schema.additionalItems;
    const required = Number.isInteger(schema.minItems) ? schema.minItems : tuple.length;
    return {
      kind: "tuple",
      elements: tuple.map((item, i) => ({ type: this.build(item, itemHint), optional: i >= required })),
      rest: rest === undefined || rest === false ? null : this.build(rest, itemHint),
    };
  }

  #buildObject(schema, hint) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const members = [];
    const memberTypes = [];
    for (const [key, propertySchema] of Object.entries(properties)) {
      const type = this.build(propertySchema, pascalCase(key));
      const optional = !required.has(key);
      memberTypes.push(optional ? union([type, UNDEFINED]) : type);
      members.push({ doc: docLines(propertySchema), key: propertyKey(key) + (optional ? "?" : ""), type });
    }
    for (const key of required) {
      if (!Object.hasOwn(properties, key)) members.push({ doc: [], key: propertyKey(key), type: UNKNOWN });
    }

    // additionalProperties and patternProperties become one index signature. TypeScript wants the
    // named properties to fit it too, so their types join its union.
    const indexTypes = [];
    const patterns = [];
    if (schema.additionalProperties === true) indexTypes.push(UNKNOWN);
    else if (isObject(schema.additionalProperties)) indexTypes.push(this.build(schema.additionalProperties, `${hint}Value`));
    if (isObject(schema.patternProperties)) {
      for (const [pattern, patternSchema] of Object.entries(schema.patternProperties)) {
        patterns.push(`/${pattern}/`);
        indexTypes.push(this.build(patternSchema, `${hint}Value`));
      }
    }
    if (indexTypes.length > 0) {
      const value = union(indexTypes);
      if (members.length === 0 && patterns.length === 0) return { kind: "record", value };
      const doc = patterns.length > 0 ? [`Keys matching ${patterns.join(", ")}`] : [];
      members.push({ doc, key: "[key: string]", type: value === UNKNOWN ? value : union([value, ...memberTypes]) });
    }

    if (members.length === 0) {
      const closed = Object.hasOwn(schema, "properties") || schema.additionalProperties === false;
      return closed ? leaf("{}") : { kind: "record", value: UNKNOWN };
    }
    return { kind: "object", members, hint };
  }
}

// A combinator branch that only lists required properties of the schema around it.
function onlyRequires(branch) {
  return isObject(branch) && Array.isArray(branch.required) &&
    Object.keys(branch).every((key) => key === "required" || ANNOTATION_KEYS.has(key));
}

function schemaTypes(schema) {
  if (typeof schema.type === "string") return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((t) => typeof t === "string");
  if (["properties", "additionalProperties", "patternProperties", "required"].some((k) => Object.hasOwn(schema, k))) return ["object"];
  if (Object.hasOwn(schema, "items") || Object.hasOwn(schema, "prefixItems")) return ["array"];
  return [];
}

// True when a schema constrains the type of a value (not only describes it).
function hasShape(schema) {
  return Object.keys(schema).some((key) => !ANNOTATION_KEYS.has(key));
}

function withoutAnnotations(schema) {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !ANNOTATION_KEYS.has(key)));
}

// Both schemas as one, when that is a plain merge: no references or combinators, not two sets of
// literals, types that overlap. Returns null otherwise (the caller intersects the two types).
function mergeSchemas(a, b) {
  if (!isObject(a) || !isObject(b)) return null;
  const plain = (s) => s.$ref === undefined && COMBINATORS.every((k) => s[k] === undefined);
  const literals = (s) => Object.hasOwn(s, "enum") || Object.hasOwn(s, "const");
  if (!plain(a) || !plain(b) || (literals(a) && literals(b))) return null;

  const merged = { ...a, ...b };
  for (const key of Object.keys(a)) {
    if (ANNOTATION_KEYS.has(key)) merged[key] = a[key];  // the outer schema's description wins
  }
  const typesA = schemaTypes(a);
  const typesB = schemaTypes(b);
  if (typesA.length > 0 && typesB.length > 0) {
    const both = typesA.filter((t) => typesB.includes(t) || (t === "integer" && typesB.includes("number")));
    if (both.length === 0) return null;
    merged.type = both.length === 1 ? both[0] : both;
  }
  if (isObject(a.properties) && isObject(b.properties)) {
    merged.properties = { ...a.properties };
    for (const [key, value] of Object.entries(b.properties)) {
      const existing = merged.properties[key];
      merged.properties[key] = existing === undefined || json(existing) === json(value) ? value : { allOf: [existing, value] };
    }
  }
  if (Array.isArray(a.required) || Array.isArray(b.required)) {
    merged.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  }
  if (a.additionalProperties === false || b.additionalProperties === false) merged.additionalProperties = false;
  return merged;
}

// ---------------------------------------------------------------------------------------------
// Names and documentation.

function propertyKey(key) {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

function pascalCase(text) {
  const words = String(text).split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
  if (name === "") return "Type";
  return /^[0-9]/.test(name) ? `T${name}` : name;
}

// "Entities" → "Entity", "Relations" → "Relation", "Addresses" → "Address"; else "<name>Item".
function singular(name) {
  if (/[^aeiou]ies$/.test(name)) return `${name.slice(0, -3)}y`;
  if (/(ss|x|ch|sh)es$/.test(name)) return name.slice(0, -2);
  if (/[^su]s$/.test(name)) return name.slice(0, -1);
  return `${name}Item`;
}

// The lines of a JSDoc comment for a schema: its description, then its constraints as tags.
function docLines(schema) {
  if (!isObject(schema)) return [];
  const lines = textLines(schema.description);
  const tags = [];
  const tag = (name, value) => tags.push(value === undefined ? `@${name}` : `@${name} ${value}`);
  if (typeof schema.format === "string") tag("format", schema.format);
  if (typeof schema.contentEncoding === "string") tag("contentEncoding", schema.contentEncoding);
  if (typeof schema.contentMediaType === "string") tag("contentMediaType", schema.contentMediaType);
  if (Object.hasOwn(schema, "default")) tag("default", JSON.stringify(schema.default));
  for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]) {
    if (typeof schema[key] === "number") tag(key, schema[key]);
  }
  if (typeof schema.pattern === "string") tag("pattern", `/${schema.pattern}/`);
  if (schema.uniqueItems === true) tag("uniqueItems");
  if (schema.deprecated === true) tag("deprecated");
  if (Array.isArray(schema.examples)) {
    for (const example of schema.examples) tag("example", JSON.stringify(example));
  }
  if (tags.length > 0) lines.push(tags.join(" "));
  return lines;
}

function describe(schema) {
  return isObject(schema) && typeof schema.description === "string" ? schema.description.trim() : "";
}

// A description's lines, without blank lines at either end.
function textLines(text) {
  if (typeof text !== "string") return [];
  const lines = text.split(/\r?\n/).map((line) => line.trimEnd());
  while (lines.length > 0 && lines[0].trim() === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function oneLine(text) {
  return text.replace(/\s*\r?\n\s*/g, " ");
}

function jsdoc(lines, indent) {
  if (lines.length === 0) return [];
  const safe = lines.map((line) => line.replace(/\*\//g, "*\\/"));
  if (safe.length === 1) return [`${indent}/** ${safe[0]} */`];
  return [`${indent}/**`, ...safe.map((line) => (line === "" ? `${indent} *` : `${indent} * ${line}`)), `${indent} */`];
}

// Text printed at column 0, placed after `indent`: every line but the first moves right.
function indentLines(text, indent) {
  return text.replace(/\n/g, `\n${indent}`);
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function json(value) {
  return JSON.stringify(value) ?? "undefined";
}
