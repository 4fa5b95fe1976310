// Tool definitions → TypeScript declarations (src/codemode/js/tool-types.js), run inside wisp.
// `tool-types.js` here is a link to the module in src/ (wisp reads imports from the test's
// folder only). The exact text is asserted: it is what an agent reads. tests/codemode/
// typecheck_test.py compiles the same kind of output with `tsc --strict`.
import { assert, assertEquals, assertMatch, assertThrows } from "wisp:test";
import { generateTypes, sanitizeToolName } from "./tool-types.js";
import memory from "./fixtures/memory.tools.json";

const lines = (...text) => text.join("\n") + "\n";
const one = (tool, namespace = "t") => generateTypes([{ namespace, tools: [tool] }]);
const object = (properties, required = []) => ({ type: "object", properties, required });

export function sanitizesNamesLikeCodemode() {
  const cases = {
    "my-tool": "my_tool", "3d-render": "_3d_render", "delete": "delete_", "a.b c": "a_b_c",
    "get_item": "get_item", "$dollar": "$dollar", "what?!": "what", "": "_", "!!!": "_",
    "naïve": "nave", "class": "class_", "undefined": "undefined_", "await": "await_",
    "tab\tname": "tab_name", "123": "_123", "ok2": "ok2",
  };
  for (const [name, safe] of Object.entries(cases)) assertEquals(sanitizeToolName(name), safe, name);
}

export function simpleTool() {
  const text = one({
    name: "get-weather",
    description: "Current weather for a city",
    inputSchema: object({ city: { type: "string", description: "City name" }, units: { enum: ["c", "f"] } }, ["city"]),
  }, "weather");
  assertEquals(text, lines(
    "declare const weather: {",
    "  /** Current weather for a city */",
    "  get_weather(input: {",
    "    /** City name */",
    "    city: string;",
    "    units?: \"c\" | \"f\";",
    "  }): Promise<unknown>;",
    "};",
  ));
}

export function outputSchemaTypesTheResult() {
  const text = one({
    name: "add",
    inputSchema: object({ a: { type: "number" }, b: { type: "integer" } }, ["a", "b"]),
    outputSchema: object({ sum: { type: "number" } }, ["sum"]),
  });
  assertEquals(text, lines(
    "declare const t: {",
    "  add(input: { a: number; b: number }): Promise<{ sum: number }>;",
    "};",
  ));
}

export function inputWithNothingRequiredIsOptional() {
  const text = generateTypes([{ namespace: "t", tools: [
    { name: "ping", inputSchema: { type: "object", properties: {} } },
    { name: "list", inputSchema: object({ page: { type: "integer" } }) },
    { name: "free", inputSchema: { type: "object" } },
    { name: "none" },
  ] }]);
  assertEquals(text, lines(
    "declare const t: {",
    "  ping(input?: {}): Promise<unknown>;",
    "  list(input?: { page?: number }): Promise<unknown>;",
    "  free(input?: Record<string, unknown>): Promise<unknown>;",
    "  none(input?: unknown): Promise<unknown>;",
    "};",
  ));
}

export function nestedObjectsAndQuotedKeys() {
  const text = one({
    name: "create",
    inputSchema: object({
      user: object({ "first-name": { type: "string" }, age: { type: "integer", minimum: 0 } }, ["first-name"]),
      "x-trace id": { type: "string" },
    }, ["user"]),
  });
  assertEquals(text, lines(
    "declare const t: {",
    "  create(input: {",
    "    user: {",
    "      \"first-name\": string;",
    "      /** @minimum 0 */",
    "      age?: number;",
    "    };",
    "    \"x-trace id\"?: string;",
    "  }): Promise<unknown>;",
    "};",
  ));
}

export function unionsInsideArraysAreParenthesised() {
  const text = one({
    name: "mix",
    inputSchema: object({
      a: { type: "array", items: { type: ["string", "null"] } },
      b: { type: "array", items: { anyOf: [{ type: "string" }, { type: "array", items: { type: "number" } }] } },
      c: { type: "array", items: { oneOf: [{ const: 1 }, { const: -1 }] } },
      d: { type: "array", items: { type: "array", items: { enum: ["x", "y"] } } },
      e: { type: "array" },
    }, ["a", "b", "c", "d", "e"]),
  });
  assertEquals(text, lines(
    "declare const t: {",
    "  mix(input: {",
    "    a: (string | null)[];",
    "    b: (string | number[])[];",
    "    c: (1 | -1)[];",
    "    d: (\"x\" | \"y\")[][];",
    "    e: unknown[];",
    "  }): Promise<unknown>;",
    "};",
  ));
}

export function nullableBothWays() {
  const text = one({
    name: "n",
    inputSchema: object({
      a: { type: ["string", "null"] },
      b: { type: "integer", nullable: true },
      c: { anyOf: [{ type: "string" }, { type: "null" }], default: null },
      d: { type: ["object", "null"], properties: { x: { type: "number" } }, required: ["x"] },
    }, ["a", "b", "c", "d"]),
  });
  assertEquals(text, lines(
    "declare const t: {",
    "  n(input: {",
    "    a: string | null;",
    "    b: number | null;",
    "    /** @default null */",
    "    c: string | null;",
    "    d: { x: number } | null;",
    "  }): Promise<unknown>;",
    "};",
  ));
}

export function enumsAndConsts() {
  const text = one({
    name: "e",
    inputSchema: object({
      level: { type: "integer", enum: [1, 2, 3] },
      mixed: { enum: ["a", 0, true, null, { k: "v" }, ["x"]] },
      fixed: { const: "v1" },
      quoted: { enum: ["say \"hi\"", "back\\slash", "new\nline"] },
      empty: { enum: [] },
    }, ["level"]),
  });
  assertEquals(text, lines(
    "declare const t: {",
    "  e(input: {",
    "    level: 1 | 2 | 3;",
    "    mixed?: \"a\" | 0 | true | null | {\"k\":\"v\"} | [\"x\"];",
    "    fixed?: \"v1\";",
    "    quoted?: \"say \\\"hi\\\"\" | \"back\\\\slash\" | \"new\\nline\";",
    "    empty?: never;",
    "  }): Promise<unknown>;",
    "};",
  ));
}

export function refsToDefsAreNamedAndShared() {
  const point = { type: "object", description: "A point", properties: { x: { type: "number" }, y: { type: "number" } }, required: ["x", "y"] };
  const text = generateTypes([{ namespace: "geo", tools: [
    { name: "move", inputSchema: { ...object({ from: { $ref: "#/$defs/Point" }, to: { $ref: "#/$defs/Point" } }, ["from", "to"]), $defs: { Point: point } } },
    { name: "origin", inputSchema: object({}), outputSchema: { $ref: "#/definitions/Point", definitions: { Point: point } } },
    { name: "other", inputSchema: { ...object({ p: { $ref: "#/$defs/Point" } }, ["p"]), $defs: { Point: { type: "string" } } } },
  ] }]);
  assertEquals(text, lines(
    "/** A point */",
    "type Point = { x: number; y: number };",
    "type Point2 = string;",
    "",
    "declare const geo: {",
    "  move(input: { from: Point; to: Point }): Promise<unknown>;",
    "  origin(input?: {}): Promise<Point>;",
    "  other(input: { p: Point2 }): Promise<unknown>;",
    "};",
  ));
}

export function cyclesGoThroughNames() {
  const text = one({
    name: "tree",
    inputSchema: {
      type: "object",
      properties: {
        root: { $ref: "#/$defs/Node" },
        again: { $ref: "#" },
        self: { type: "object", properties: { next: { $ref: "#/properties/self" } } },
      },
      $defs: { Node: { type: "object", properties: { children: { type: "array", items: { $ref: "#/$defs/Node" } } } } },
    },
  });
  // "Node" is a DOM type: the declaration would clash with it.
  assertEquals(text, lines(
    "type TreeInput = { root?: Node2; again?: TreeInput; self?: TreeInputSelf };",
    "type Node2 = { children?: Node2[] };",
    "type TreeInputSelf = { next?: TreeInputSelf };",
    "",
    "declare const t: {",
    "  tree(input?: TreeInput): Promise<unknown>;",
    "};",
  ));
}

export function refsThatLeadNowhereAreUnknown() {
  const text = one({
    name: "r",
    inputSchema: {
      ...object({
        remote: { $ref: "https://example.com/schema.json" },
        dangling: { $ref: "#/$defs/Missing" },
        inlined: { $ref: "#/properties/remote" },
        self: { $ref: "#/$defs/Self" },
        ping: { $ref: "#/$defs/Ping" },
      }, ["remote"]),
      $defs: { Self: { $ref: "#/$defs/Self" }, Ping: { $ref: "#/$defs/Pong" }, Pong: { $ref: "#/$defs/Ping" } },
    },
  });
  // Entries that only refer to each other in a circle would be circular aliases.
  assertEquals(text, lines(
    "type Self = unknown;",
    "type Ping = unknown;",
    "",
    "declare const t: {",
    "  r(input: {",
    "    remote: unknown;",
    "    dangling?: unknown;",
    "    inlined?: unknown;",
    "    self?: Self;",
    "    ping?: Ping;",
    "  }): Promise<unknown>;",
    "};",
  ));
}

export function indexSignatures() {
  const text = one({
    name: "meta",
    inputSchema: object({
      tags: { type: "object", additionalProperties: { type: "string" } },
      open: { type: "object", additionalProperties: true },
      closed: { type: "object", additionalProperties: false },
      mixed: { type: "object", properties: { n: { type: "integer" } }, additionalProperties: { type: "string" } },
      patterns: { type: "object", patternProperties: { "^x-": { type: "string" }, "^n-": { type: "number" } } },
    }, ["tags", "open", "closed", "mixed", "patterns"]),
  });
  assertEquals(text, lines(
    "declare const t: {",
    "  meta(input: {",
    "    tags: Record<string, string>;",
    "    open: Record<string, unknown>;",
    "    closed: {};",
    "    mixed: { n?: number; [key: string]: string | number | undefined };",
    "    patterns: {",
    "      /** Keys matching /^x-/, /^n-/ */",
    "      [key: string]: string | number;",
    "    };",
    "  }): Promise<unknown>;",
    "};",
  ));
}

export function tuples() {
  const text = one({
    name: "tup",
    inputSchema: object({
      pair: { type: "array", prefixItems: [{ type: "string" }, { type: "number" }], items: false },
      open: { type: "array", prefixItems: [{ type: "string" }], items: { type: "boolean" } },
      draft7: { type: "array", items: [{ type: "string" }, { type: ["number", "null"] }], minItems: 1 },
    }, ["pair", "open", "draft7"]),
  });
  assertMatch(text, /pair: \[string, number\];/);
  assertMatch(text, /open: \[string, \.\.\.boolean\[\]\];/);
  assertMatch(text, /draft7: \[string, \(number \| null\)\?\];/);
}

export function allOfMergesAndAnyOfRequirementsStayShort() {
  const text = one({
    name: "c",
    inputSchema: {
      type: "object",
      properties: {
        style: { allOf: [object({ a: { type: "string" } }), object({ b: { type: "number" } }, ["b"])] },
        both: { allOf: [{ $ref: "#/$defs/Base" }, object({ extra: { type: "boolean" } }, ["extra"])] },
        id: { type: "string" },
        name: { type: "string" },
      },
      anyOf: [{ required: ["id"] }, { required: ["name"] }],
      $defs: { Base: object({ kind: { type: "string" } }, ["kind"]) },
    },
  });
  assertEquals(text, lines(
    "type Base = { kind: string };",
    "",
    "declare const t: {",
    "  c(input: {",
    "    style?: { a?: string; b: number };",
    "    both?: { extra: boolean } & Base;",
    "    id?: string;",
    "    name?: string;",
    "  } & ({ id: string } | { name: string })): Promise<unknown>;",
    "};",
  ));
}

export function unionBranchesTakeTheSchemaAroundThem() {
  const text = one({
    name: "pay",
    inputSchema: {
      type: "object",
      required: ["amount"],
      properties: { amount: { type: "number" } },
      oneOf: [
        { properties: { card: { type: "string" } }, required: ["card"] },
        { properties: { iban: { type: "string" } }, required: ["iban"] },
      ],
    },
  });
  assertEquals(text, lines(
    "declare const t: {",
    "  pay(input: { amount: number; card: string } | { amount: number; iban: string }): Promise<unknown>;",
    "};",
  ));
}

export function documentation() {
  const text = one({
    name: "doc",
    description: "First line.\n\n  Indented second paragraph, with */ inside.\n",
    inputSchema: {
      ...object({
        when: { type: "string", format: "date-time", description: "Start time" },
        size: { type: "integer", default: 10, minimum: 1, maximum: 100, description: "Page size\nper request" },
        name: { type: "string", pattern: "^[a-z]+$", minLength: 1, maxLength: 8, examples: ["abc"] },
        old: { type: "boolean", deprecated: true },
      }),
      description: "The query",
    },
    outputSchema: { type: "string", description: "A report" },
  });
  assertEquals(text, lines(
    "declare const t: {",
    "  /**",
    "   * First line.",
    "   *",
    "   *   Indented second paragraph, with *\\/ inside.",
    "   * @param input The query",
    "   * @returns A report",
    "   */",
    "  doc(input?: {",
    "    /**",
    "     * Start time",
    "     * @format date-time",
    "     */",
    "    when?: string;",
    "    /**",
    "     * Page size",
    "     * per request",
    "     * @default 10 @minimum 1 @maximum 100",
    "     */",
    "    size?: number;",
    "    /** @minLength 1 @maxLength 8 @pattern /^[a-z]+$/ @example \"abc\" */",
    "    name?: string;",
    "    /** @deprecated */",
    "    old?: boolean;",
    "  }): Promise<string>;",
    "};",
  ));
}

export function repeatedObjectsAreDeclaredOnce() {
  const entity = object({ name: { type: "string", description: "Its name" }, kind: { type: "string" } }, ["name", "kind"]);
  const list = object({ entities: { type: "array", items: entity } }, ["entities"]);
  const text = generateTypes([{ namespace: "kg", tools: [
    { name: "create", inputSchema: list, outputSchema: list },
    { name: "read", inputSchema: object({}), outputSchema: list },
    { name: "small", inputSchema: object({ a: { type: "string" } }), outputSchema: object({ a: { type: "string" } }) },
  ] }]);
  assertEquals(text, lines(
    "type Entity = {",
    "  /** Its name */",
    "  name: string;",
    "  kind: string;",
    "};",
    "",
    "declare const kg: {",
    "  create(input: { entities: Entity[] }): Promise<{ entities: Entity[] }>;",
    "  read(input?: {}): Promise<{ entities: Entity[] }>;",
    "  small(input?: { a?: string }): Promise<{ a?: string }>;",
    "};",
  ));
}

export function booleanAndEmptySchemas() {
  const text = one({ name: "b", inputSchema: object({ any: {}, yes: true, no: false, desc: { description: "Anything" } }) });
  assertMatch(text, /any\?: unknown;/);
  assertMatch(text, /yes\?: unknown;/);
  assertMatch(text, /no\?: never;/);
  assertMatch(text, /desc\?: unknown;/);
}

export function severalProvidersAndTheirDescriptions() {
  const text = generateTypes([
    { namespace: "github-api", description: "GitHub, as the signed-in user", tools: [{ name: "whoami", inputSchema: object({}) }] },
    { namespace: "fs", tools: [] },
  ]);
  assertEquals(text, lines(
    "/** GitHub, as the signed-in user */",
    "declare const github_api: {",
    "  whoami(input?: {}): Promise<unknown>;",
    "};",
    "",
    "declare const fs: {};",
  ));
}

export function clashingNamesAreErrors() {
  assertThrows(() => generateTypes([{ namespace: "t", tools: [{ name: "get-item" }, { name: "get_item" }] }]),
    TypeError, "Tools \"get-item\" and \"get_item\" both become \"get_item\".");
  assertThrows(() => generateTypes([{ namespace: "a.b", tools: [] }, { namespace: "a-b", tools: [] }]),
    TypeError, "Providers \"a.b\" and \"a-b\" both become \"a_b\".");
  assertThrows(() => generateTypes([{ namespace: "t", tools: [null] }]), TypeError);
  assertThrows(() => generateTypes("tools"), TypeError);
}

export function deepOrOddInputDoesNotThrow() {
  let deep = { type: "string" };
  for (let i = 0; i < 500; i++) deep = { type: "array", items: deep };
  const text = one({ name: "deep", inputSchema: object({ d: deep }), outputSchema: 42 });
  assertMatch(text, /unknown\[\]/);
  assertMatch(text, /Promise<unknown>/);
  const odd = one({ name: "odd", inputSchema: { type: "object", properties: [1, 2], required: "x", enum: "no" } });
  assertMatch(odd, /odd\(input/);
}

export function outputIsDeterministicAndInputUntouched() {
  const tools = structuredClone(memory.tools);
  const before = JSON.stringify(tools);
  const first = generateTypes([{ namespace: "memory", tools }]);
  assertEquals(generateTypes([{ namespace: "memory", tools }]), first);
  assertEquals(JSON.stringify(tools), before);
}

export function realToolList() {
  const text = generateTypes([{ namespace: "memory", tools: memory.tools }]);
  assert(text.startsWith("type Entity = {\n"), text.slice(0, 200));
  assertMatch(text, /\n {2}create_entities\(input: \{ entities: Entity\[\] \}\): Promise<\{ entities: Entity\[\] \}>;\n/);
  assertMatch(text, /\n {2}read_graph\(input\?: \{\}\): Promise<\{ entities: Entity\[\]; relations: Relation\[\] \}>;\n/);
  assertEquals(text.match(/^ {2}[a-z_]+\(/gm).length, memory.tools.length);
}
