// Code Mode snippet normalisation (part of the transpiler bundle): what an agent writes becomes
// one async function expression, with the same rules as @cloudflare/codemode's normalizeCode:
//   - Markdown code fences (```js, ```ts, ```) are stripped;
//   - empty code becomes `async () => {}`;
//   - an arrow or function expression is kept as it is;
//   - `export default <function>` is unwrapped;
//   - a lone function declaration is called;
//   - anything else is a statement list, wrapped in `async () => { ... }` with the value of its
//     last expression statement returned.
import { parse } from "acorn";

export function stripFences(code) {
  const trimmed = code.trim();
  const fence = /^```[a-zA-Z]*[ \t]*\n([\s\S]*?)\n?```$/.exec(trimmed);
  return fence ? fence[1] : trimmed;
}

export function normalizeSnippet(js) {
  const code = js.trim();
  if (code === "") return "async () => {}";
  const ast = parse(code, {
    ecmaVersion: "latest",
    sourceType: "module",
    allowAwaitOutsideFunction: true,
    allowReturnOutsideFunction: true,
  });
  const body = ast.body;
  if (body.length === 1) {
    const only = body[0];
    if (only.type === "ExpressionStatement" && isFunction(only.expression)) {
      return code.slice(only.expression.start, only.expression.end);
    }
    if (only.type === "ExportDefaultDeclaration" && isFunction(only.declaration)) {
      const d = only.declaration;
      const text = code.slice(d.start, d.end);
      return d.type === "FunctionDeclaration" ? `(${text})` : text;
    }
    if (only.type === "FunctionDeclaration") {
      return `async () => {\n${code}\nreturn ${only.id.name}();\n}`;
    }
  }
  const last = body[body.length - 1];
  if (last && last.type === "ExpressionStatement") {
    const head = code.slice(0, last.start);
    const expr = code.slice(last.expression.start, last.expression.end);
    return `async () => {\n${head}return (${expr});\n}`;
  }
  return `async () => {\n${code}\n}`;
}

function isFunction(node) {
  return node.type === "ArrowFunctionExpression" || node.type === "FunctionExpression" ||
    node.type === "FunctionDeclaration";
}
