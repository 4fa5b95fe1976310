// Entry of the transpiler bundle (scripts/bundle-js.mjs): sucrase, exposed as one function that
// the transpiler isolate calls. Types are stripped; modern syntax that V8 10.2 runs is kept;
// line numbers are preserved, so errors point at the user's TypeScript lines.
import { transform } from "sucrase";
import { parse } from "sucrase/dist/esm/parser/index.js";
import { TokenType } from "sucrase/dist/esm/parser/tokenizer/types.js";
import { normalizeSnippet, stripFences } from "./snippet.js";

// Syntax that sucrase passes through and V8 10.2 cannot run gets a clear error here, instead of
// V8's "Invalid or unexpected token" later.
function rejectUnsupported(source, jsx, typescript) {
  if (!source.includes("@") && !source.includes("using")) return;
  const { tokens } = parse(source, jsx, typescript, false);
  const lineOf = (pos) => source.slice(0, pos).split("\n").length;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === TokenType.at) {
      throw new SyntaxError(`Decorators are not supported (line ${lineOf(t.start)}).`);
    }
    // `using x = ...` / `await using x = ...` (explicit resource management).
    const next = tokens[i + 1];
    if (t.type === TokenType.name && source.slice(t.start, t.end) === "using" && next &&
        next.type === TokenType.name && lineOf(next.start) === lineOf(t.start) &&
        tokens[i + 2] && tokens[i + 2].type === TokenType.eq) {
      throw new SyntaxError(`'using' declarations are not supported (line ${lineOf(t.start)}).`);
    }
  }
}

globalThis.wispTranspile = function wispTranspile(source, filename) {
  const isJsx = /\.(tsx|jsx)$/.test(filename);
  const isTs = !/\.jsx$/.test(filename);
  rejectUnsupported(source, isJsx, isTs);
  const transforms = [...(isTs ? ["typescript"] : []), ...(isJsx ? ["jsx"] : [])];
  try {
    return transform(source, {
      transforms,
      filePath: filename,
      disableESTransforms: true,   // keep class fields, optional chaining...: V8 10.2 runs them
      keepUnusedImports: false,
      preserveDynamicImport: true,
      production: true,
    }).code;
  } catch (e) {
    // sucrase says "Error transforming <file>: Unexpected token (1:10)"; the caller names the file.
    throw new SyntaxError(String(e.message).replace(/^Error transforming [^:]*: /, ""));
  }
};

// A Code Mode snippet (JavaScript or TypeScript) -> one async function expression (snippet.js).
globalThis.wispNormalizeSnippet = function wispNormalizeSnippet(code, typescript) {
  let source = stripFences(code);
  if (typescript === "true") source = globalThis.wispTranspile(source, "snippet.ts");
  try {
    return normalizeSnippet(source);
  } catch (e) {
    // acorn: "Unexpected token (3:5)"
    throw new SyntaxError(String(e.message));
  }
};
