// The host's side of one execution: what the sandbox reaches over Workers RPC, and what it has
// sent so far. Each provider is a ToolDispatcher (an RpcTarget: the sandbox holds a stub to it),
// and the code's value comes back through a ResultChannel. Both check the Execution first: once
// it is over (the result is in, the sandbox failed, or the timeout passed), calls are refused
// and the host's functions are not called.
//
// Everything from the sandbox is untrusted: its code can reach these stubs and call them with
// anything, so log lines are checked and bounded here too.
import { RpcTarget } from "../../api/js/entrypoints.js";
import { MAX_LOG_CHARS, MAX_LOG_LINES } from "./sandbox-source.js";

export const LATE_CALL_MESSAGE =
  "The code execution finished before this tool call was made. Await every tool call before returning.";

export class Execution {
  logs = [];
  open = true;
  settled = false;
  value = undefined;
  #chars = 0;
  #truncated = false;

  addLogs(lines) {
    if (!this.open || !Array.isArray(lines)) return;
    for (const line of lines) {
      if (typeof line !== "string" || this.#truncated) continue;
      if (this.logs.length >= MAX_LOG_LINES || this.#chars + line.length > MAX_LOG_CHARS) {
        this.#truncated = true;
        this.logs.push(`[logs truncated: more than ${MAX_LOG_LINES} lines or ${MAX_LOG_CHARS} characters]`);
        continue;
      }
      this.#chars += line.length;
      this.logs.push(line);
    }
  }

  close() {
    this.open = false;
  }
}

// One provider's tools, called from the sandbox as `ns.tool(...args)`.
export class ToolDispatcher extends RpcTarget {
  #provider;
  #execution;

  constructor(provider, execution) {
    super();
    this.#provider = provider;
    this.#execution = execution;
  }

  // args: the arguments of the call in the sandbox; logs: lines written since the last call.
  async call(name, args, logs) {
    if (!this.#execution.open) throw new Error(LATE_CALL_MESSAGE);
    this.#execution.addLogs(logs);
    const tool = typeof name === "string" ? this.#provider.tools.get(name) : undefined;
    if (!tool) throw new Error(`Tool "${String(name)}" not found in "${this.#provider.name}"`);
    return tool(...(Array.isArray(args) ? args : [args]));
  }
}

// Where the sandbox hands in the code's value (structured-cloned by the call) and its last lines.
export class ResultChannel extends RpcTarget {
  #execution;

  constructor(execution) {
    super();
    this.#execution = execution;
  }

  settle(value, logs) {
    const execution = this.#execution;
    if (!execution.open || execution.settled) throw new Error("This execution is over.");
    execution.addLogs(logs);
    execution.settled = true;
    execution.value = value;
    execution.close();  // the code is done: a tool call made after this is late
  }
}
