// The sandbox's main module, as source text: a Worker whose entrypoint method
// `evaluate(dispatchers, result)` runs the code once. Inside it, each provider is a namespace
// whose calls go over Workers RPC to that provider's ToolDispatcher in the host (dispatch.js),
// console output is kept as lines, and the code's value goes back through `result.settle()`:
// it is structured-cloned by that call, so a value that cannot cross fails in the sandbox, where
// the failure can still be reported with the logs. Lines are handed to the host with every tool
// call and with the result, so a sandbox the runtime stops keeps the lines written before its
// last tool call.
//
// Everything the module uses is captured before the code runs (the code may replace globals),
// and the code only sees names the providers' validation keeps free (providers.js).

export const SANDBOX_MODULE = "executor.js";

// At most this much console output per execution, here and in the host (dispatch.js).
export const MAX_LOG_LINES = 10_000;
export const MAX_LOG_CHARS = 1 << 20;

// Runs at the sandbox module's top level, before any of the code.
const runtime = `
const __codemode = (() => {
  const { Promise, Proxy, Error, JSON, String, Array, WeakSet, Object, setTimeout, clearTimeout, console } = globalThis;
  let pending = [];  // lines not yet handed to the host
  let lines = 0;
  let chars = 0;
  let truncated = false;

  // A line as console.log would show it: strings as they are, errors as "Name: message",
  // other objects as JSON (cycles marked), everything else by String().
  function format(value) {
    if (typeof value === "string") return value;
    if (typeof value === "bigint") return value + "n";
    if (value instanceof Error) return errorText(value);
    if (typeof value === "object" && value !== null) {
      try {
        const seen = new WeakSet();
        const text = JSON.stringify(value, (key, v) => {
          if (typeof v === "bigint") return v + "n";
          if (typeof v === "object" && v !== null) {
            if (seen.has(v)) return "[Circular]";
            seen.add(v);
          }
          return v;
        });
        if (text !== undefined) return text;
      } catch {}
      return Object.prototype.toString.call(value);
    }
    try {
      return String(value);
    } catch {
      return typeof value;
    }
  }

  function errorText(error) {
    try {
      const message = String(error.message);
      const name = String(error.name);
      return name && name !== "Error" ? name + ": " + message : message;
    } catch {
      return "Error";
    }
  }

  function write(prefix, values) {
    if (truncated) return;
    let line;
    try {
      line = prefix + Array.prototype.map.call(values, format).join(" ");
    } catch {
      line = prefix + "(unprintable)";
    }
    if (lines >= ${MAX_LOG_LINES} || chars + line.length > ${MAX_LOG_CHARS}) {
      truncated = true;
      pending.push("[logs truncated: more than ${MAX_LOG_LINES} lines or ${MAX_LOG_CHARS} characters]");
      return;
    }
    lines++;
    chars += line.length;
    pending.push(line);
  }

  function takeLogs() {
    const out = pending;
    pending = [];
    return out;
  }

  function captureConsole() {
    console.log = (...values) => write("", values);
    console.info = (...values) => write("", values);
    console.debug = (...values) => write("", values);
    console.warn = (...values) => write("[warn] ", values);
    console.error = (...values) => write("[error] ", values);
  }

  // ns.tool(...args) -> the host's dispatcher.call(tool, args, logs): a promise of the tool's
  // result, or a rejection with what the tool threw.
  function namespace(dispatcher) {
    return new Proxy({}, {
      get(target, name) {
        if (typeof name !== "string" || name === "then") return undefined;
        return (...args) => {
          const logs = takeLogs();
          try {
            return dispatcher.call(name, args, logs);
          } catch (e) {
            pending = logs.concat(pending);  // not sent (arguments that cannot cross)
            throw e;
          }
        };
      },
    });
  }

  // -> null once the result is with the host, or { error, logs }.
  async function run(code, result, timeoutMs) {
    let timer;
    const timedOut = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error("Execution timed out after " + timeoutMs + " ms.")), timeoutMs);
    });
    let value;
    try {
      value = await Promise.race([code(), timedOut]);
    } catch (e) {
      return { error: e instanceof Error ? errorText(e) : format(e), logs: takeLogs() };
    } finally {
      clearTimeout(timer);
    }
    const logs = takeLogs();
    try {
      await result.settle(value, logs);
    } catch (e) {
      return { error: "The result could not be returned: " + errorText(e), logs };
    }
    return null;
  }

  return { captureConsole, namespace, run };
})();
`;

// code: normalizeCode()'s output (one function expression); providers: resolveProviders()'s.
export function sandboxSource(code, providers, timeoutMs) {
  const namespaces = providers.map((p) => `    const ${p.name} = __codemode.namespace(__dispatchers.${p.name});`);
  const preludes = providers.filter((p) => p.prelude !== "").map((p) => p.prelude);
  return [
    'import { WorkerEntrypoint } from "cloudflare:workers";',
    runtime,
    "export default class CodeExecutor extends WorkerEntrypoint {",
    "  async evaluate(__dispatchers, __result) {",
    "    __codemode.captureConsole();",
    ...namespaces,
    ...preludes,
    "    return __codemode.run(() => (",
    code,
    `    )(), __result, ${timeoutMs});`,
    "  }",
    "}",
    "",
  ].join("\n");
}
