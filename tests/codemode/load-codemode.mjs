// Loads @cloudflare/codemode (an npm devDependency) under Node, for comparisons with our generator.
// Its entry imports "cloudflare:workers" for classes that only matter inside workerd; Node gets
// empty stand-ins for them.
import { register } from "node:module";

const standIns = "export class WorkerEntrypoint {} export class DurableObject {} export class RpcTarget {}";
const hooks = `export async function resolve(specifier, context, next) {
  if (specifier !== "cloudflare:workers") return next(specifier, context);
  return { url: "data:text/javascript," + encodeURIComponent(${JSON.stringify(standIns)}), shortCircuit: true };
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

export const codemode = await import("@cloudflare/codemode");
