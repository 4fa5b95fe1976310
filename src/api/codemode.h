// The native op behind the "wisp:codemode" module's normalizeCode (src/codemode/js/normalize.js).
#pragma once

#include <string>

namespace wisp::api {

struct CodemodeOps {
  // A Code Mode snippet (JavaScript or TypeScript, maybe in a Markdown fence) as one async
  // function expression, by @cloudflare/codemode's rules (io::normalizeSnippet). Throws a
  // SyntaxError for code that does not parse.
  static std::string codemodeNormalize(std::string code);
};

}  // namespace wisp::api
