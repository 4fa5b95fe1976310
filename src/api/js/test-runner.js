// `wisp test`: runs the test cases a module exports, and the assertions of the built-in module
// "wisp:test". A case is an exported function, or an exported object with a test() method
// (workerd's shape); `config` is reserved for the test's settings.
import { inspect } from "./inspect.js";
import { clearAllTimers, pendingTimerCount } from "./timers.js";

export async function runTests(ns) {
  const results = [];
  for (const name of Object.keys(ns)) {
    const run = testFunction(name, ns[name]);
    if (!run) continue;
    let error = null;
    try {
      await run();
    } catch (e) {
      error = describe(e);
    }
    // Like Deno's sanitizers: a timer that outlives its test is a leak, and would fire in the
    // next one.
    const pending = pendingTimerCount();
    if (pending > 0) {
      clearAllTimers();
      if (error === null) error = `test left ${pending} timer${pending === 1 ? "" : "s"} pending`;
    }
    results.push({ name, ok: error === null, error });
  }
  return results;
}

function testFunction(name, value) {
  if (name === "config") return null;
  if (typeof value === "function") {
    return Function.prototype.toString.call(value).startsWith("class") ? null : value;
  }
  if (typeof value === "object" && value !== null && typeof value.test === "function") {
    return () => value.test();
  }
  return null;
}

// The error's stack without the runtime's own frames (the runner's, mostly).
function describe(error) {
  try {
    if (error instanceof Error && typeof error.stack === "string") {
      return error.stack.split("\n").filter((line) => !/^\s+at .*\bwisp:runtime\.js:/.test(line)).join("\n");
    }
    return `Uncaught ${inspect(error)}`;
  } catch {
    return "Uncaught exception (could not be described)";
  }
}

// The built-in module "wisp:test".

export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = "AssertionError";
  }
}
// Stacks start at the caller's line, not inside this file.
function fail(message, from) {
  const error = new AssertionError(message);
  Error.captureStackTrace(error, from);
  throw error;
}

function show(value) {
  return inspect(value, { depth: 6 }).replace(/\n/g, "\n    ");
}

function assert(condition, message = undefined) {
  if (!condition) fail(message ?? `Expected a truthy value, got ${show(condition)}`, assert);
}

function assertEquals(actual, expected, message = undefined) {
  if (equal(actual, expected)) return;
  fail(`${message ? `${message}\n` : ""}Values are not equal:\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`, assertEquals);
}

function assertNotEquals(actual, expected, message = undefined) {
  if (!equal(actual, expected)) return;
  fail(`${message ? `${message}\n` : ""}Expected a value different from ${show(expected)}`, assertNotEquals);
}

function assertMatch(actual, regexp, message = undefined) {
  if (typeof actual === "string" && regexp.test(actual)) return;
  fail(`${message ? `${message}\n` : ""}Expected ${show(actual)} to match ${regexp}`, assertMatch);
}

// One line about a thrown value, for "expected X, got Y".
function brief(error) {
  return error instanceof Error ? `${error.name}: ${error.message}` : inspect(error);
}

// expected: an error class (checked with instanceof) or an error name (checked against .name).
function checkError(error, expected, messageIncludes, from) {
  if (typeof expected === "function" && !(error instanceof expected)) {
    fail(`Expected error to be an instance of ${expected.name}, got ${brief(error)}`, from);
  }
  if (typeof expected === "string" && (error === null || typeof error !== "object" || error.name !== expected)) {
    fail(`Expected error named '${expected}', got ${brief(error)}`, from);
  }
  if (messageIncludes !== undefined && !String(error?.message).includes(messageIncludes)) {
    fail(`Expected error message to include ${show(messageIncludes)}, got ${show(error?.message)}`, from);
  }
  return error;
}

function assertThrows(fn, expected = undefined, messageIncludes = undefined) {
  try {
    fn();
  } catch (error) {
    return checkError(error, expected, messageIncludes, assertThrows);
  }
  fail("Expected the function to throw", assertThrows);
}

async function assertRejects(fnOrPromise, expected = undefined, messageIncludes = undefined) {
  try {
    await (typeof fnOrPromise === "function" ? fnOrPromise() : fnOrPromise);
  } catch (error) {
    return checkError(error, expected, messageIncludes, assertRejects);
  }
  fail("Expected the promise to reject", assertRejects);
}

// Deep structural equality: same prototype, same own enumerable properties, equal contents for
// Map, Set, Date, RegExp, ArrayBuffer and views. NaN equals NaN; cycles are handled.
function equal(a, b, seen = new Map()) {
  if (a === b || (a !== a && b !== b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (seen.get(a) === b) return true;
  seen.set(a, b);

  if (a instanceof Date) return Object.is(a.getTime(), b.getTime());
  if (a instanceof RegExp) return String(a) === String(b);
  if (a instanceof Error && (a.name !== b.name || a.message !== b.message)) return false;
  if (a instanceof ArrayBuffer) return bytesEqual(new Uint8Array(a), new Uint8Array(b));
  if (ArrayBuffer.isView(a)) {
    return bytesEqual(new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
      new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  }
  if (a instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [key, value] of a) {
      if (b.has(key) ? !equal(value, b.get(key), seen)
        : ![...b].some(([k, v]) => equal(key, k, seen) && equal(value, v, seen))) return false;
    }
  }
  if (a instanceof Set) {
    if (a.size !== b.size) return false;
    for (const value of a) {
      if (!b.has(value) && ![...b].some((v) => equal(value, v, seen))) return false;
    }
  }
  for (const Type of [String, Number, Boolean]) {
    if (a instanceof Type && !Object.is(Type.prototype.valueOf.call(a), Type.prototype.valueOf.call(b))) return false;
  }
  if (Array.isArray(a) && a.length !== b.length) return false;
  return keysEqual(a, b, seen);
}

function keysEqual(a, b, seen) {
  const keys = (o) => Reflect.ownKeys(o).filter((k) => Object.prototype.propertyIsEnumerable.call(o, k));
  const ka = keys(a);
  const kb = keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.propertyIsEnumerable.call(b, k) && equal(a[k], b[k], seen));
}

function bytesEqual(x, y) {
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}

export const testModule = Object.freeze({
  assert, assertEquals, assertNotEquals, assertThrows, assertRejects, assertMatch,
});
