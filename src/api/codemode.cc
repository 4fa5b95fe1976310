#include "api/codemode.h"

#include "io/transpiler.h"

namespace wisp::api {

std::string CodemodeOps::codemodeNormalize(std::string code) { return io::normalizeSnippet(code); }

}  // namespace wisp::api
