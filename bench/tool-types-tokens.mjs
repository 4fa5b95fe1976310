#!/usr/bin/env node
// How many tokens an agent reads to learn a set of tools: the JSON Schema tool definitions of
// `tools/list`, against the TypeScript that src/codemode/js/tool-types.js makes of them (and,
// for comparison, what @cloudflare/codemode's generateTypesFromJsonSchema makes of them).
// Input: the tool lists captured by scripts/capture-tool-lists.mjs. Output: a markdown table.
//
//   node bench/tool-types-tokens.mjs            # the table, as in docs/codemode.md
//   node bench/tool-types-tokens.mjs --print memory   # the generated TypeScript for one list
//
// Tokens are counted with gpt-tokenizer's o200k_base (GPT-4o and later) and cl100k_base (GPT-4)
// encodings, which ship inside the package: no network. Columns:
//   JSON      the tools as a model is given them: [{name, description, inputSchema, outputSchema}]
//             as compact JSON (no whitespace: the cheapest form of the JSON);
//   list      the whole `tools/list` result as served, compact (adds title, annotations, execution);
//   wisp      our declarations;  codemode   @cloudflare/codemode 0.5.6's, one provider per list.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { countTokens as o200k } from "gpt-tokenizer/encoding/o200k_base";
import { countTokens as cl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { generateTypes } from "../src/codemode/js/tool-types.js";
import { codemode } from "../tests/codemode/load-codemode.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const LISTS = ["everything", "filesystem", "memory"];

function load(name) {
  return JSON.parse(readFileSync(join(root, "tests/codemode/fixtures", `${name}.tools.json`), "utf8"));
}

function modelFacing(tools) {
  return tools.map(({ name, description, inputSchema, outputSchema }) => ({ name, description, inputSchema, outputSchema }));
}

function codemodeTypes(namespace, tools) {
  const descriptors = Object.fromEntries(tools.map((t) => [t.name, t]));
  return codemode.generateTypesFromJsonSchema(descriptors, namespace);
}

function measure(name, tools) {
  const texts = {
    json: JSON.stringify(modelFacing(tools)),
    list: JSON.stringify({ tools }),
    wisp: generateTypes([{ namespace: name, tools }]),
    codemode: codemodeTypes(name, tools),
  };
  const row = { name, tools: tools.length };
  for (const [key, text] of Object.entries(texts)) row[key] = { o200k: o200k(text), cl100k: cl100k(text), chars: text.length };
  return row;
}

const printIndex = process.argv.indexOf("--print");
if (printIndex !== -1) {
  const name = process.argv[printIndex + 1];
  process.stdout.write(generateTypes([{ namespace: name, tools: load(name).tools }]));
  process.exit(0);
}

const rows = LISTS.map((name) => measure(name, load(name).tools));
// All three lists in one prompt, as an agent connected to the three servers would get them.
const all = LISTS.map((name) => ({ name, tools: load(name).tools }));
const total = {
  name: "all three",
  tools: rows.reduce((n, r) => n + r.tools, 0),
  json: {}, list: {}, codemode: {},
  wisp: {},
};
for (const key of ["json", "list", "codemode"]) {
  for (const unit of ["o200k", "cl100k", "chars"]) total[key][unit] = rows.reduce((n, r) => n + r[key][unit], 0);
}
const together = generateTypes(all.map(({ name, tools }) => ({ namespace: name, tools })));
total.wisp = { o200k: o200k(together), cl100k: cl100k(together), chars: together.length };
rows.push(total);

const pct = (part, whole) => `${Math.round((100 * part) / whole)}%`;
const versions = LISTS.map((name) => `${load(name).server}@${load(name).version}`).join(", ");
const lines = [
  `Tokens (o200k_base; cl100k_base in parentheses). Lists: ${versions}.`,
  "",
  "| tools | count | JSON | tools/list | codemode TS | wisp TS | wisp / JSON | wisp / codemode |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map((r) => {
    const cell = (c) => `${c.o200k} (${c.cl100k})`;
    return `| ${r.name} | ${r.tools} | ${cell(r.json)} | ${cell(r.list)} | ${cell(r.codemode)} | ${cell(r.wisp)} | ` +
      `${pct(r.wisp.o200k, r.json.o200k)} | ${pct(r.wisp.o200k, r.codemode.o200k)} |`;
  }),
];
console.log(lines.join("\n"));
