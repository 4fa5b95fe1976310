// Bundles wisp's JavaScript at build time with esbuild:
//  - runtime.js: src/api/js/index.js and what it imports (the JS half of the Web APIs, and
//    whatwg-url for URL), run once while building the startup snapshot;
//  - transpiler.js: sucrase, run in the per-thread transpiler isolate to strip TypeScript.
// Usage: node scripts/bundle-js.mjs <out-dir>
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";

const out = process.argv[2];
mkdirSync(out, { recursive: true });

const urlDeps = "./src/api/js/url/whatwg-url-deps.js";

// Fixes inside whatwg-url itself:
//  - lib/encoding.js builds a TextEncoder/TextDecoder when loaded (wrapped C++ objects cannot be
//    in the snapshot): require("./encoding") goes to urlDeps too;
//  - lib/utils.js reads SharedArrayBuffer.prototype when loaded, which wisp's isolates do not
//    have: that module gets a stand-in that no value is an instance of;
//  - lib/url-miscellaneous.js lowercases every ASCII domain without IDNA, so "xn--" labels with
//    invalid Punycode pass; the URL Standard's shortcut excludes domains with such a label.
const whatwgURLFixes = {
  name: "whatwg-url-fixes",
  setup(build) {
    const libDir = /[\\/]whatwg-url[\\/]lib$/;
    build.onResolve({ filter: /^\.\/encoding$/ }, (args) =>
      libDir.test(args.resolveDir) ? { path: resolve(urlDeps) } : undefined);
    build.onLoad({ filter: /[\\/]whatwg-url[\\/]lib[\\/]utils\.js$/ }, async (args) => ({
      contents: '"use strict"; const SharedArrayBuffer = globalThis.SharedArrayBuffer ?? ' +
        "class { get byteLength() { throw new TypeError(); } };\n" + await readFile(args.path, "utf8"),
      loader: "js",
    }));
    build.onLoad({ filter: /[\\/]whatwg-url[\\/]lib[\\/]url-miscellaneous\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const shortcut = "if (infra.isASCIIString(domain)) {";
      if (!source.includes(shortcut)) throw new Error(`whatwg-url changed: "${shortcut}" not found in ${args.path}`);
      return {
        contents: source.replace(shortcut, "if (infra.isASCIIString(domain) && !/(^|\\.)xn--/iu.test(domain)) {"),
        loader: "js",
      };
    });
  },
};

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
  // WISP_RUNTIME_ENTRY swaps the entry, for working on the runtime in isolation.
  entryPoints: [process.env.WISP_RUNTIME_ENTRY || "src/api/js/index.js"],
  outfile: join(out, "runtime.js"),
  minifyWhitespace: true,
  minifySyntax: true,
  // Keep class and function names as written: users see them (atob.name, String(Event)).
  keepNames: true,
  // whatwg-url's IDNA step goes to ICU through a native op instead of tr46's 250 kB table; its
  // other dependencies are replaced by small versions that fit V8 10.2 and the snapshot.
  alias: {
    tr46: "./src/api/js/url/tr46-icu.js",
    "webidl-conversions": urlDeps,
    "@exodus/bytes/whatwg.js": urlDeps,
    "@exodus/bytes/encoding.js": urlDeps,
  },
  plugins: [whatwgURLFixes],
});

await build({
  ...common,
  entryPoints: ["src/io/transpiler-entry.js"],
  outfile: join(out, "transpiler.js"),
  minify: true,
});
