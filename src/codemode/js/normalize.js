// normalizeCode(code): what an agent wrote (JavaScript or TypeScript, maybe in a Markdown code
// fence) as one async function expression, by @cloudflare/codemode's rules: the fence is
// stripped, an arrow or function expression is kept, a lone function declaration is called, and
// statements are wrapped with the value of the last expression returned. It runs in C++
// (io::normalizeSnippet, the transpiler isolate's acorn and sucrase), so the parser's code is not
// in every isolate that imports "wisp:codemode". Throws a SyntaxError for code that does not parse.
import { ops } from "../../api/js/ops.js";

export function normalizeCode(code) {
  if (typeof code !== "string") throw new TypeError("normalizeCode() expects the code as a string.");
  return ops.codemodeNormalize(code);
}
