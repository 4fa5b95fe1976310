// The built-in module "wisp:codemode" (src/codemode/js/): a lazy area, so its code is compiled
// only in isolates that import it. internals.codemodeModule (index.js) hands C++ the exports.
import { DynamicWorkerExecutor } from "../../../codemode/js/executor.js";
import { normalizeCode } from "../../../codemode/js/normalize.js";
import { generateTypes, sanitizeToolName } from "../../../codemode/js/tool-types.js";
import { generateTypesFromJsonSchema } from "../../../codemode/js/compat.js";

export const codemodeModule = Object.freeze({
  DynamicWorkerExecutor, normalizeCode, generateTypes, generateTypesFromJsonSchema, sanitizeToolName,
});
