// Bundles wisp's JavaScript at build time with esbuild:
//  - runtime.js: src/api/js/index.js and what it imports (the JS half of the Web APIs, and
//    whatwg-url for URL), run once while building the startup snapshot;
//  - transpiler.js: sucrase, run in the per-thread transpiler isolate to strip TypeScript.
// Usage: node scripts/bundle-js.mjs <out-dir>
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const out = process.argv[2];
mkdirSync(out, { recursive: true });

const common = {
  bundle: true,
  format: "iife",
  platform: "neutral",
  target: "es2022",  // V8 10.2
  legalComments: "none",
  logLevel: "warning",
  mainFields: ["module", "main"],
};

await build({
  ...common,
  entryPoints: ["src/api/js/index.js"],
  outfile: join(out, "runtime.js"),
  minifyWhitespace: true,
  minifySyntax: true,
  // whatwg-url's IDNA step goes to ICU through a native op instead of tr46's 250 kB table.
  alias: { tr46: "./src/api/js/url/tr46-icu.js" },
});

await build({
  ...common,
  entryPoints: ["src/io/transpiler-entry.js"],
  outfile: join(out, "transpiler.js"),
  minify: true,
});
