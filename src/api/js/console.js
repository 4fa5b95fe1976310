// https://console.spec.whatwg.org/ — a namespace of plain functions, so that detached calls
// (`const { log } = console`) work. Each call formats its arguments (inspect.js) and hands
// one line to the host: ops.log(level, text).
import { ops } from "./ops.js";
import { format, inspect } from "./inspect.js";

export { format };

let groupIndent = "";
const counts = new Map();
const timers = new Map();

function print(level, text) {
  if (groupIndent !== "") text = groupIndent + text.replace(/\n/g, `\n${groupIndent}`);
  ops.log(level, text);
}

function label(value) {
  return value === undefined ? "default" : String(value);
}

function elapsed(name) {
  const ms = ops.now() - timers.get(name);
  return ms >= 1000 ? `${(ms / 1000).toFixed(3)}s` : `${ms.toFixed(3)}ms`;
}

const methods = {
  // Logging
  assert(condition = false, ...data) {
    if (condition) return;
    if (typeof data[0] === "string") data[0] = `Assertion failed: ${data[0]}`;
    else data.unshift("Assertion failed");
    print("error", format(...data));
  },
  clear() {},  // there is no screen to clear
  debug(...data) { print("debug", format(...data)); },
  error(...data) { print("error", format(...data)); },
  info(...data) { print("info", format(...data)); },
  log(...data) { print("log", format(...data)); },
  table(data = undefined, properties = undefined) {
    if (typeof data !== "object" || data === null) return print("log", format(data));
    print("log", table(data, properties));
  },
  trace(...data) {
    const holder = {};
    Error.captureStackTrace(holder, methods.trace);
    const frames = String(holder.stack).split("\n").slice(1).join("\n");
    print("log", `Trace${data.length ? `: ${format(...data)}` : ""}${frames ? `\n${frames}` : ""}`);
  },
  warn(...data) { print("warn", format(...data)); },
  dir(item = undefined) { print("log", inspect(item)); },
  dirxml(...data) { print("log", format(...data)); },

  // Counting
  count(name = undefined) {
    name = label(name);
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    print("log", `${name}: ${n}`);
  },
  countReset(name = undefined) {
    name = label(name);
    if (counts.has(name)) counts.set(name, 0);
    else print("warn", `Count for '${name}' does not exist`);
  },

  // Grouping
  group(...data) {
    if (data.length) print("log", format(...data));
    groupIndent += "  ";
  },
  groupCollapsed(...data) { methods.group(...data); },
  groupEnd() { groupIndent = groupIndent.slice(2); },

  // Timing
  time(name = undefined) {
    name = label(name);
    if (timers.has(name)) return print("warn", `Timer '${name}' already exists`);
    timers.set(name, ops.now());
  },
  timeLog(name = undefined, ...data) {
    name = label(name);
    if (!timers.has(name)) return print("warn", `Timer '${name}' does not exist`);
    print("log", format(`${name}: ${elapsed(name)}`, ...data));
  },
  timeEnd(name = undefined) {
    name = label(name);
    if (!timers.has(name)) return print("warn", `Timer '${name}' does not exist`);
    print("log", `${name}: ${elapsed(name)}`);
    timers.delete(name);
  },
};

// Node's box table: one row per own enumerable key, one column per key of the row values.
function table(data, properties) {
  const rows = [];
  const columns = [];
  let hasValues = false;
  const entries = data instanceof Map ? [...data.entries()]
    : data instanceof Set ? [...data.values()].map((v, i) => [i, v])
    : Object.keys(data).map((k) => [k, data[k]]);
  for (const [key, value] of entries) {
    const row = { "(index)": typeof key === "string" ? key : render(key) };
    if (typeof value === "object" && value !== null) {
      for (const col of properties ?? Object.keys(value)) {
        const name = String(col);
        if (!columns.includes(name)) columns.push(name);
        if (Object.prototype.hasOwnProperty.call(value, col)) row[name] = render(value[col]);
      }
    } else {
      row.Values = render(value);
      hasValues = true;
    }
    rows.push(row);
  }
  const header = ["(index)", ...columns, ...(hasValues ? ["Values"] : [])];
  const widths = header.map((h) => Math.max(h.length, ...rows.map((r) => (r[h] ?? "").length)) + 2);
  const cell = (text, w) => {
    const left = Math.floor((w - text.length) / 2);
    return " ".repeat(left) + text + " ".repeat(w - text.length - left);
  };
  const line = (l, m, r) => l + widths.map((w) => "─".repeat(w)).join(m) + r;
  const row = (r) => "│" + header.map((h, i) => cell(r[h] ?? "", widths[i])).join("│") + "│";
  return [
    line("┌", "┬", "┐"),
    row(Object.fromEntries(header.map((h) => [h, h]))),
    line("├", "┼", "┤"),
    ...rows.map(row),
    line("└", "┴", "┘"),
  ].join("\n");
}

function render(value) {
  return inspect(value, { depth: 0 }).replace(/\n\s*/g, " ");
}

// https://webidl.spec.whatwg.org/#es-namespaces: operations are writable, enumerable and
// configurable; the namespace object's class string is "console", and its prototype an empty
// object (https://console.spec.whatwg.org/#console-namespace).
export const console = Object.create({});
for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(console, name, { value: fn, writable: true, enumerable: true, configurable: true });
}
Object.defineProperty(console, Symbol.toStringTag, { value: "console", configurable: true });
