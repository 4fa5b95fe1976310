// @cloudflare/codemode's name and input shape for type generation, on top of generateTypes
// (tool-types.js): a record of tools by name, one provider called "codemode".
import { generateTypes } from "./tool-types.js";

// tools: { [name]: { description?, inputSchema, outputSchema? } }
export function generateTypesFromJsonSchema(tools, namespace = "codemode") {
  if (tools === null || typeof tools !== "object") {
    throw new TypeError("generateTypesFromJsonSchema() expects an object of tools by name.");
  }
  const list = Object.entries(tools).map(([name, tool]) => ({ ...tool, name }));
  return generateTypes([{ namespace, tools: list }]);
}
