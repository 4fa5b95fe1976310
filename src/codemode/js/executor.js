// DynamicWorkerExecutor: runs Code Mode code in a fresh sandbox (a dynamic Worker from the Worker
// Loader) with the host's tools reachable over Workers RPC, in the shape of
// @cloudflare/codemode's executor, so that code written for it runs unchanged:
//
//   const executor = new DynamicWorkerExecutor({ loader: env.LOADER });
//   const { result, error, logs } = await executor.execute(code, [{ name: "github", fns }]);
//
// What differs (docs/codemode.md): CPU-bound code is stopped by the runtime's CPU limit, not by a
// timer in the sandbox; executions beyond `maxConcurrent` wait in line instead of failing; logs
// come back with every result, errors included; and execute() never throws.
import { normalizeCode } from "./normalize.js";
import { resolveProviders } from "./providers.js";
import { SANDBOX_MODULE, sandboxSource } from "./sandbox-source.js";
import { Execution, ResultChannel, ToolDispatcher } from "./dispatch.js";
import { ConcurrencyLimit } from "./concurrency.js";

export const DEFAULT_TIMEOUT_MS = 60_000;     // wall time of one execution (codemode's default)
export const DEFAULT_CPU_MS = 30_000;         // CPU time of one execution (Workers' default)
export const DEFAULT_MAX_CONCURRENT = 16;     // executions at once per executor; more wait
const COMPATIBILITY_DATE = "2025-06-01";      // codemode's

const TIMED_OUT = Symbol("timed out");
// How long the host waits past `timeout` for the sandbox's own answer (which has its logs).
const TIMEOUT_GRACE_MS = 2000;

function positiveNumber(value, fallback, what) {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    throw new TypeError(`DynamicWorkerExecutor: ${what} must be a positive number, not ${String(value)}.`);
  }
  return value;
}

function messageOf(error) {
  if (!(error instanceof Error)) return String(error);
  return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
}

function failed(error, logs) {
  return { result: undefined, error, logs };
}

export class DynamicWorkerExecutor {
  #loader;
  #timeout;
  #globalOutbound;
  #modules;
  #bindings;
  #limits;
  #line;

  // options: { loader, timeout?, globalOutbound?, modules?, bindings?, limits?: { cpuMs?,
  // subRequests? }, maxConcurrent? }; see docs/codemode.md.
  constructor(options) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("DynamicWorkerExecutor needs options: { loader: env.LOADER, ... }.");
    }
    const { loader } = options;
    if (loader === null || typeof loader !== "object" || typeof loader.load !== "function") {
      throw new TypeError("DynamicWorkerExecutor: `loader` must be a Worker Loader binding (env.LOADER).");
    }
    this.#loader = loader;
    this.#timeout = positiveNumber(options.timeout, DEFAULT_TIMEOUT_MS, "timeout");
    this.#globalOutbound = options.globalOutbound ?? null;
    const { [SANDBOX_MODULE]: _, ...modules } = options.modules ?? {};
    this.#modules = modules;
    this.#bindings = { ...(options.bindings ?? {}) };
    const limits = options.limits ?? {};
    this.#limits = {
      cpuMs: positiveNumber(limits.cpuMs, DEFAULT_CPU_MS, "limits.cpuMs"),
      subRequests: limits.subRequests === undefined ? undefined : positiveNumber(limits.subRequests, 0, "limits.subRequests"),
    };
    const max = positiveNumber(options.maxConcurrent, DEFAULT_MAX_CONCURRENT, "maxConcurrent");
    this.#line = new ConcurrencyLimit(Math.floor(max) || 1);
  }

  // -> { result, error?, logs }. Never throws: bad code, bad providers, a sandbox the runtime
  // stopped and failed calls all end up in `error`.
  async execute(code, providersOrFns) {
    let source;
    let providers;
    try {
      providers = resolveProviders(providersOrFns);
      source = sandboxSource(normalizeCode(code), providers, this.#timeout);
    } catch (e) {
      return failed(messageOf(e), []);
    }
    try {
      return await this.#line.run(() => this.#run(source, providers));
    } catch (e) {
      return failed(messageOf(e), []);
    }
  }

  async #run(source, providers) {
    const execution = new Execution();
    const dispatchers = {};
    for (const provider of providers) dispatchers[provider.name] = new ToolDispatcher(provider, execution);
    let timer;
    try {
      const worker = this.#loader.load({
        compatibilityDate: COMPATIBILITY_DATE,
        mainModule: SANDBOX_MODULE,
        modules: { ...this.#modules, [SANDBOX_MODULE]: source },
        globalOutbound: this.#globalOutbound,
        env: Object.keys(this.#bindings).length > 0 ? this.#bindings : undefined,
        limits: this.#limits,
      });
      const evaluation = Promise.resolve(worker.getEntrypoint().evaluate(dispatchers, new ResultChannel(execution)));
      evaluation.catch(() => {});  // after a timeout, nobody waits for it
      // The sandbox stops its own code after `timeout` and answers with its logs; this is for a
      // sandbox that does not answer (slow to start, or waiting for its turn in the runtime).
      const timedOut = new Promise((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), this.#timeout + TIMEOUT_GRACE_MS);
      });
      const answer = await Promise.race([evaluation, timedOut]);
      if (answer === TIMED_OUT) return failed(`Execution timed out after ${this.#timeout} ms.`, execution.logs);
      if (answer !== null && typeof answer === "object") {
        execution.addLogs(answer.logs);
        return failed(typeof answer.error === "string" ? answer.error : "The code failed.", execution.logs);
      }
      if (!execution.settled) return failed("The sandbox finished without a result.", execution.logs);
      return { result: execution.value, logs: execution.logs };
    } catch (e) {
      // Loading failed, or the runtime stopped the sandbox ("Worker exceeded CPU time limit.").
      return failed(messageOf(e), execution.logs);
    } finally {
      clearTimeout(timer);
      execution.close();
    }
  }
}
