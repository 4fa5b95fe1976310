// console (https://console.spec.whatwg.org/). The text it prints is checked end to end by the
// CLI tests; here: every method accepts any value and works without its `this`.
import { assert, assertEquals } from "wisp:test";

class Point {
  constructor() { this.x = 1; this.y = 2; }
}

const cyclic = { name: "cyclic" };
cyclic.self = cyclic;

const awkward = [
  undefined, null, true, -0, 1.5, 10n, Symbol("s"), "text", "",
  [1, [2, [3, [4, [5]]]]], new Array(5), { nested: { deeper: { deepest: { bottom: 1 } } } },
  new Map([["k", { v: 1 }]]), new Set([1, "two"]), new Error("an error (expected in the log)"),
  function named() {}, () => {}, class Klass {}, new Point(), cyclic, Object.create(null),
  new Date(0), new Date(NaN), /re/g, new Uint8Array([1, 2]), new ArrayBuffer(3), new DataView(new ArrayBuffer(1)),
  new WeakMap(), Promise.resolve(1), new Number(3), new String("boxed"), { get lazy() { throw new Error("not called"); } },
  new DOMException("m", "AbortError"), new Proxy({}, {}), Array.from({ length: 200 }, (_, i) => i),
  { "needs quotes": 1, [Symbol("key")]: 2 }, new Event("e"), new AbortController(),
];

export function logAcceptsAnything() {
  for (const value of awkward) console.log(value);
  console.log(...awkward);
}

export function formatSpecifiers() {
  console.log("%s|%d|%i|%f|%j|%o|%O|%c|%%|%x", "s", 42.5, 42.5, "1.5", { a: [1] }, [1], { b: 2 }, "color: red");
  console.log("%s %s", "only one");
  console.log("%d", 10n, "extra", { rest: true });
  console.log("%j", cyclic);
  console.log("%s", Symbol("sym"), -0);
}

export function everyMethodWorksDetached() {
  const {
    log, info, warn, error, debug, trace, assert: consoleAssert, dir, dirxml, table, group,
    groupCollapsed, groupEnd, count, countReset, time, timeLog, timeEnd, clear,
  } = console;
  log("detached log");
  info("detached info");
  warn("detached warn");
  error("detached error");
  debug("detached debug");
  trace("detached trace");
  consoleAssert(true, "not printed");
  consoleAssert(false, "assertion message %s", "(expected in the log)");
  consoleAssert(false);
  dir({ a: "dir" });
  dirxml("dirxml");
  table([{ a: 1, b: "x" }, { a: 2, c: true }]);
  table([[1, 2], [3, 4]], [0]);
  table(new Map([["k", 1]]));
  table("not tabular");
  group("group");
  groupCollapsed();
  log("indented\ntwo lines");
  groupEnd();
  groupEnd();
  groupEnd();  // one too many: harmless
  count();
  count("label");
  countReset("label");
  countReset("never counted");
  time("t");
  time("t");
  timeLog("t", "extra");
  timeEnd("t");
  timeEnd("t");
  clear();
}

export function consoleIsANamespace() {
  assertEquals(Object.prototype.toString.call(console), "[object console]");
  const desc = Object.getOwnPropertyDescriptor(console, "log");
  assertEquals([desc.writable, desc.enumerable, desc.configurable], [true, true, true]);
  assert(!("prototype" in console.log));
}

export function customInspectIsUsed() {
  let called = false;
  console.log({ [Symbol.for("nodejs.util.inspect.custom")]() { called = true; return "custom"; } });
  assert(called);
}

export function throwingProxyTrapPropagates() {
  // A clean exception, not a crash.
  const hostile = new Proxy({}, { ownKeys() { throw new Error("trap"); } });
  let caught = null;
  try {
    console.log(hostile);
  } catch (e) {
    caught = e;
  }
  assertEquals(caught?.message, "trap");
}
