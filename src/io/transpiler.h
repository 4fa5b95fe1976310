// TypeScript to JavaScript, for .ts/.mts/.tsx modules (and .jsx). Types are stripped and JSX is
// turned into React.createElement calls; everything else V8 10.2 runs is kept as written.
// Runs sucrase (bundled at build time) in one isolate shared by the process, created on first use.
// What is supported and rejected is listed in docs/typescript.md.
#pragma once

#include <string>

namespace wisp::io {

// Throws js::JsError (SyntaxError "<file>: <message> (<line>:<col>)") on a syntax error.
std::string transpile(const std::string& source, const std::string& filename);

// A Code Mode snippet (JavaScript or TypeScript, maybe in a Markdown fence) as one async
// function expression, by @cloudflare/codemode's rules (see snippet.js). Throws a SyntaxError.
std::string normalizeSnippet(const std::string& code);

}  // namespace wisp::io
