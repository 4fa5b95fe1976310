// Bundles wisp's JavaScript at build time with esbuild:
//  - runtime.js: src/api/js/index.js and what it imports (the JS half of the Web APIs, and
//    whatwg-url for URL), run once while building the startup snapshot;
//  - area-<name>.js: one per lazy area (a folder src/api/js/<name>/ with an index.js), loaded
//    into an isolate on first use (src/api/js/lazy.js);
//  - transpiler.js: sucrase, run in the per-thread transpiler isolate to strip TypeScript;
//  - capnweb-gateway.js: the Cap'n Web endpoint, a built-in Worker (src/server/capnweb/).
// Usage: node scripts/bundle-js.mjs <out-dir>
import { build } from "esbuild";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";

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

// web-streams-polyfill (the streams area) looks up DOMException, AbortController,
// queueMicrotask and structuredClone on the global when it loads or first needs them, after
// user code may have replaced them: its module gets wisp's own, declared at its top.
const streamsGlobalsModule = resolve("src/api/js/streams/polyfill-globals.js");
const webStreamsGlobals = {
  name: "web-streams-globals",
  setup(build) {
    build.onLoad({ filter: /[\\/]web-streams-polyfill[\\/]dist[\\/]ponyfill\.mjs$/ }, async (args) => ({
      contents: `import { streamsGlobals } from ${JSON.stringify(streamsGlobalsModule)};\n` +
        "const { globalThis, AbortController, queueMicrotask, structuredClone } = streamsGlobals;\n" +
        await readFile(args.path, "utf8"),
      loader: "js",
    }));
  },
};

const jsRoot = resolve("src/api/js");
// Other folders of wisp's own modules that an area may import (the area's index re-exports
// them): their imports of core files resolve to the core's instances too.
const sourceRoots = [jsRoot, resolve("src/codemode/js")];
// Module ids shared between bundles: paths relative to src/api/js, with forward slashes.
const moduleId = (path) => relative(jsRoot, path).split(sep).join("/");
const jsFilesUnder = (dir) => readdirSync(dir, { recursive: true })
  .filter((f) => f.endsWith(".js"))
  .map((f) => join(dir, f));

// A lazy area is a folder of src/api/js with an index.js; everything else there is the core.
const areas = readdirSync(jsRoot, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(jsRoot, d.name, "index.js")))
  .map((d) => d.name)
  .sort();
const areaOf = (path) => {
  const id = moduleId(path);
  const first = id.split("/")[0];
  return !id.startsWith("..") && areas.includes(first) ? first : null;
};
const coreFiles = jsFilesUnder(jsRoot).filter((f) => !areaOf(f));

// An entry that evaluates `main` and hands `register` the namespace of every listed module, so
// that other bundles can import them (and get these very instances, not copies).
const registeringEntry = (files, main, register) => [
  `import ${JSON.stringify("./" + moduleId(main))};`,
  ...files.map((f, i) => `import * as m${i} from ${JSON.stringify("./" + moduleId(f))};`),
  `${register}({${files.map((f, i) => `${JSON.stringify(moduleId(f))}: m${i}`).join(", ")}});`,
].join("\n");

// Inside an area, an import of a file outside it becomes a lookup of that module's instance
// (core modules are already loaded; another area's module loads that area first).
const sharedModules = (area) => ({
  name: "wisp-shared-modules",
  setup(build) {
    build.onResolve({ filter: /^\./ }, (args) => {
      if (!sourceRoots.some((root) => args.resolveDir.startsWith(root))) return undefined;
      let path = resolve(args.resolveDir, args.path);
      if (!path.endsWith(".js") && existsSync(path + ".js")) path += ".js";
      if (!path.startsWith(jsRoot + sep) || areaOf(path) === area) return undefined;
      return { path: moduleId(path), namespace: "wisp-shared" };
    });
    build.onLoad({ filter: /.*/, namespace: "wisp-shared" }, (args) => ({
      contents: `module.exports = __wispRequire(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
});

const common = {
  bundle: true,
  format: "iife",
  platform: "neutral",
  target: "es2022",  // V8 10.2
  legalComments: "none",
  logLevel: "warning",
  mainFields: ["module", "main"],
};

const runtimeOptions = {
  ...common,
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
};

// WISP_RUNTIME_ENTRY swaps the entry, for working on the runtime in isolation.
const runtimeEntry = process.env.WISP_RUNTIME_ENTRY;
await build({
  ...runtimeOptions,
  ...(runtimeEntry ? { entryPoints: [runtimeEntry] } : {
    stdin: {
      contents: 'import { registerCoreModules } from "./lazy.js";\n' +
        registeringEntry(coreFiles, join(jsRoot, "index.js"), "registerCoreModules"),
      resolveDir: jsRoot,
      sourcefile: "wisp-core-entry.js",
    },
  }),
  outfile: join(out, "runtime.js"),
  plugins: [whatwgURLFixes],
});

// Each area is a script whose value is a function of `__wispRequire` (lazy.js) returning the
// namespaces of the area's modules by id.
for (const area of areas) {
  const files = jsFilesUnder(join(jsRoot, area));
  await build({
    ...runtimeOptions,
    stdin: {
      contents: registeringEntry(files, join(jsRoot, area, "index.js"), "__wispRegister"),
      resolveDir: jsRoot,
      sourcefile: `wisp-${area}-entry.js`,
    },
    banner: { js: "(function (__wispRequire) { let __wispModules; const __wispRegister = (m) => { __wispModules = m; };" },
    footer: { js: "return __wispModules; })" },
    outfile: join(out, `area-${area}.js`),
    plugins: [whatwgURLFixes, webStreamsGlobals, sharedModules(area)],
  });
}

// The Cap'n Web endpoint (src/server/capnweb/gateway.js): a built-in Worker, one ES module with
// the npm `capnweb` package's Workers build in it ("cloudflare:workers" stays an import).
await build({
  ...common,
  format: "esm",
  conditions: ["workerd"],
  external: ["cloudflare:workers"],
  entryPoints: ["src/server/capnweb/gateway.js"],
  outfile: join(out, "capnweb-gateway.js"),
  minifyWhitespace: true,
  minifySyntax: true,
});

// The MCP server of `wisp mcp` and `/mcp` (src/server/mcp-host.cc): one ES module, a Worker
// whose Code Mode executor comes from the built-in module wisp:codemode.
await build({
  ...common,
  format: "esm",
  external: ["wisp:codemode"],
  entryPoints: ["src/codemode/js/mcp-worker.js"],
  outfile: join(out, "mcp-worker.js"),
  minifyWhitespace: true,
  minifySyntax: true,
});

await build({
  ...common,
  entryPoints: ["src/io/transpiler-entry.js"],
  outfile: join(out, "transpiler.js"),
  minify: true,
});
