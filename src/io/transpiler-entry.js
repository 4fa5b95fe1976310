// Entry of the transpiler bundle (scripts/bundle-js.mjs): sucrase, exposed as one function that
// the transpiler isolate calls. Types are stripped; modern syntax that V8 10.2 runs is kept;
// line numbers are preserved, so errors point at the user's TypeScript lines.
import { transform } from "sucrase";

globalThis.wispTranspile = function wispTranspile(source, filename) {
  const jsx = /\.(tsx|jsx)$/.test(filename);
  const transforms = /\.jsx$/.test(filename) ? ["jsx"] : jsx ? ["typescript", "jsx"] : ["typescript"];
  const result = transform(source, {
    transforms,
    filePath: filename,
    disableESTransforms: true,   // keep class fields, optional chaining...: V8 10.2 runs them
    keepUnusedImports: false,
    preserveDynamicImport: true,
    production: true,
  });
  return result.code;
};
