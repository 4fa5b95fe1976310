// Our tool names are codemode's: sanitizeToolName gives the same identifier as
// @cloudflare/codemode's (the npm devDependency) for awkward names and for every tool name of the
// captured lists, and generateTypes declares the same methods as its generateTypesFromJsonSchema.
// Run: node tests/codemode/codemode_parity.mjs
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateTypes, sanitizeToolName } from "../../src/codemode/js/tool-types.js";
import { codemode } from "./load-codemode.mjs";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const lists = readdirSync(fixtures).filter((f) => f.endsWith(".tools.json")).sort()
  .map((f) => ({ name: f.replace(".tools.json", ""), tools: JSON.parse(readFileSync(join(fixtures, f), "utf8")).tools }));

const awkward = [
  "", "_", "-", "my-tool", "3d-render", "delete", "class", "Delete", "a.b c", "tab\tname", "new\nline",
  "what?!", "$dollar", "naïve", "日本語", "emoji😀tool", "123", "9lives", "__proto__", "constructor",
  "await", "yield", "let", "static", "enum", "undefined", "null", "true", "eval", "arguments", "get_item",
  "get-item", "get.item", "x/y", "a:b", "@scope/pkg", "  spaced  ", "UPPER-case", "-leading", "trailing-",
];

let passed = 0;
let failed = 0;
function check(what, ours, theirs) {
  if (ours === theirs) {
    passed++;
  } else {
    failed++;
    console.log(`FAIL ${what}\n  wisp:     ${JSON.stringify(ours)}\n  codemode: ${JSON.stringify(theirs)}`);
  }
}

for (const name of [...awkward, ...lists.flatMap((l) => l.tools.map((t) => t.name))]) {
  check(`sanitizeToolName(${JSON.stringify(name)})`, sanitizeToolName(name), codemode.sanitizeToolName(name));
}

// Method names as declared: `name(` in ours, `name: (` in codemode's.
for (const { name, tools } of lists) {
  const ours = [...generateTypes([{ namespace: name, tools }]).matchAll(/^ {2}([A-Za-z0-9_$]+)\(input/gm)].map((m) => m[1]);
  const descriptors = Object.fromEntries(tools.map((t) => [t.name, t]));
  const theirs = [...codemode.generateTypesFromJsonSchema(descriptors, name).matchAll(/^\t([A-Za-z0-9_$]+): \(input/gm)].map((m) => m[1]);
  check(`methods of ${name}`, ours.join(" "), theirs.join(" "));
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
