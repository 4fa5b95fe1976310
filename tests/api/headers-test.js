// Headers (https://fetch.spec.whatwg.org/#headers-class), with Workers' differences.
import { assert, assertEquals, assertThrows } from "wisp:test";

export function emptyConstructors() {
  assertEquals([...new Headers()], []);
  assertEquals([...new Headers(undefined)], []);
  assertEquals([...new Headers({})], []);
  assertEquals([...new Headers([])], []);
}

export function constructFromRecord() {
  const headers = new Headers({ "Content-Type": "text/html", "X-Num": 1, "x-null": null });
  assertEquals([...headers], [["content-type", "text/html"], ["x-null", "null"], ["x-num", "1"]]);
}

export function constructFromSequence() {
  const headers = new Headers([["A", "1"], ["b", "2"], ["a", "3"]]);
  assertEquals(headers.get("a"), "1, 3");
  // Any iterable of iterables works, not just arrays.
  const fromSet = new Headers(new Set([new Set(["k", "v"])]));
  assertEquals(fromSet.get("k"), "v");
  const fromGenerator = new Headers((function* () { yield ["g", "1"]; })());
  assertEquals(fromGenerator.get("g"), "1");
}

export function constructFromHeadersCopies() {
  const original = new Headers([["set-cookie", "a=1"], ["set-cookie", "b=2"], ["x", "1"]]);
  const copy = new Headers(original);
  copy.set("x", "2");
  assertEquals(original.get("x"), "1");
  assertEquals(copy.getSetCookie(), ["a=1", "b=2"]);
}

export function badInitThrows() {
  assertThrows(() => new Headers(null), TypeError);
  assertThrows(() => new Headers(1), TypeError);
  assertThrows(() => new Headers("a: b"), TypeError);
  assertThrows(() => new Headers([["name"]]), TypeError, "exactly two elements");
  assertThrows(() => new Headers([["a", "b", "c"]]), TypeError, "exactly two elements");
  assertThrows(() => new Headers(["ab"]), TypeError);
  assertThrows(() => new Headers([1]), TypeError);
  assertThrows(() => new Headers({ [Symbol.iterator]: 5 }), TypeError);
  assertThrows(() => new Headers({ "bad name": "v" }), TypeError, "Invalid header name.");
  assertThrows(() => new Headers([["ok", "bad\nvalue"]]), TypeError, "Invalid header value.");
  assertThrows(() => new Headers({ [Symbol("s")]: "v" }), TypeError);
}

export function recordKeepsProtoKey() {
  const headers = new Headers(JSON.parse('{"__proto__": "x"}'));
  assertEquals(headers.get("__proto__"), "x");
}

export function appendGetHasDelete() {
  const headers = new Headers();
  headers.append("Accept", "text/html");
  headers.append("accept", "application/json");
  assertEquals(headers.get("ACCEPT"), "text/html, application/json");
  assert(headers.has("Accept"));
  assertEquals(headers.get("missing"), null);
  assertEquals(headers.has("missing"), false);
  headers.delete("aCCept");
  assertEquals(headers.has("accept"), false);
  headers.delete("not-there");
}

export function setReplacesAllValues() {
  const headers = new Headers([["a", "1"], ["b", "x"], ["a", "2"], ["a", "3"]]);
  headers.set("A", "new");
  assertEquals([...headers], [["a", "new"], ["b", "x"]]);
  headers.set("c", "");
  assertEquals(headers.get("c"), "");
}

export function valuesAreNormalized() {
  const headers = new Headers();
  headers.append("a", " \t padded \r\n");
  headers.set("b", "\n\n");
  assertEquals(headers.get("a"), "padded");
  assertEquals(headers.get("b"), "");
  headers.append("c", "inner \t space");
  assertEquals(headers.get("c"), "inner \t space");
}

export function invalidNamesThrow() {
  const headers = new Headers();
  for (const name of ["", "a b", "a:b", "é", "a\u0100", "(x)", "a\n"]) {
    assertThrows(() => headers.append(name, "v"), TypeError, undefined);
    assertThrows(() => headers.set(name, "v"), TypeError);
    assertThrows(() => headers.get(name), TypeError);
    assertThrows(() => headers.has(name), TypeError);
    assertThrows(() => headers.delete(name), TypeError);
  }
  assertThrows(() => headers.get("a b"), TypeError, "Invalid header name.");
  assertThrows(() => headers.get({}), TypeError);
}

export function invalidValuesThrow() {
  const headers = new Headers();
  for (const value of ["a\0b", "a\rb", "a\nb"]) {
    assertThrows(() => headers.append("x", value), TypeError, "Invalid header value.");
    assertThrows(() => headers.set("x", value), TypeError, "Invalid header value.");
  }
  assertEquals(headers.has("x"), false);
}

export function unicodeValuesAreAcceptedAsInWorkers() {
  const headers = new Headers({ "content-disposition": "attachment; filename=\"résumé €.pdf\"" });
  assertEquals(headers.get("content-disposition"), "attachment; filename=\"résumé €.pdf\"");
}

export function missingArgumentsThrow() {
  const headers = new Headers();
  assertThrows(() => headers.append("a"), TypeError, "Failed to execute 'append' on 'Headers': 2 arguments required, but only 1 present.");
  assertThrows(() => headers.set(), TypeError, "2 arguments required, but only 0 present");
  assertThrows(() => headers.get(), TypeError, "1 argument required, but only 0 present");
  assertThrows(() => headers.has(), TypeError);
  assertThrows(() => headers.delete(), TypeError);
}

export function iterationIsSortedAndCombined() {
  const headers = new Headers([
    ["xylophone", "1"], ["best", "2"], ["set-cookie", "3"], ["a-cool", "4"],
    ["set-cookie", "5"], ["a-cool", "6"], ["best", "7"],
  ]);
  assertEquals([...headers], [
    ["a-cool", "4, 6"], ["best", "2, 7"], ["set-cookie", "3"], ["set-cookie", "5"], ["xylophone", "1"],
  ]);
  assertEquals([...headers.keys()], ["a-cool", "best", "set-cookie", "set-cookie", "xylophone"]);
  assertEquals([...headers.values()], ["4, 6", "2, 7", "3", "5", "1"]);
  assertEquals([...headers.entries()], [...headers]);
  assert(Headers.prototype[Symbol.iterator] === Headers.prototype.entries);
}

export function setCookieIsNeverCombined() {
  const headers = new Headers([["Set-Cookie", "a=1"], ["set-cookie", "b=2; Path=/"], ["set-cookie2", "c"], ["set-cookie2", "d"]]);
  assertEquals(headers.get("set-cookie"), "a=1, b=2; Path=/");
  assertEquals(headers.getSetCookie(), ["a=1", "b=2; Path=/"]);
  assertEquals(headers.getAll("Set-Cookie"), ["a=1", "b=2; Path=/"]);
  assertThrows(() => headers.getAll("x"), TypeError, 'getAll() can only be used with the header name "Set-Cookie".');
  assertEquals([...headers], [["set-cookie", "a=1"], ["set-cookie", "b=2; Path=/"], ["set-cookie2", "c, d"]]);
  assertEquals(new Headers().getSetCookie(), []);
}

export function iteratorsWalkASnapshot() {
  const headers = new Headers([["a", "1"], ["b", "2"]]);
  const iterator = headers.keys();
  headers.append("c", "3");
  headers.delete("a");
  assertEquals([...iterator], ["a", "b"]);
  assertEquals(Object.prototype.toString.call(iterator), "[object Headers Iterator]");
  const proto = Object.getPrototypeOf(iterator);
  assertEquals(Object.prototype.hasOwnProperty.call(proto, "constructor"), false);
  assertEquals(typeof iterator[Symbol.iterator], "function");
  assert(iterator[Symbol.iterator]() === iterator);
  assertThrows(() => proto.next.call({}), TypeError, "Illegal invocation");
  assertEquals(iterator.next(), { value: undefined, done: true });
}

export function forEachPassesValueNameAndHeaders() {
  const headers = new Headers([["b", "2"], ["A", "1"]]);
  const seen = [];
  const thisArg = {};
  headers.forEach(function (value, name, self) {
    seen.push([value, name, self === headers, this === thisArg]);
  }, thisArg);
  assertEquals(seen, [["1", "a", true, true], ["2", "b", true, true]]);
  assertThrows(() => headers.forEach(), TypeError);
  assertThrows(() => headers.forEach(1), TypeError, "is not of type 'Function'");
  assertThrows(() => headers.forEach((v, n) => { if (n === "b") throw new RangeError("stop"); }), RangeError);
}

export function immutableHeadersRejectChanges() {
  const { headers } = Response.redirect("https://example.com/", 301);
  assertEquals(headers.get("location"), "https://example.com/");
  assertThrows(() => headers.set("x", "1"), TypeError, "Can't modify immutable headers.");
  assertThrows(() => headers.append("x", "1"), TypeError, "Can't modify immutable headers.");
  assertThrows(() => headers.delete("location"), TypeError, "Can't modify immutable headers.");
  // A copy is mutable.
  const copy = new Headers(headers);
  copy.set("x", "1");
  assertEquals(copy.get("x"), "1");
}

export function brandChecks() {
  assertThrows(() => Headers.prototype.get.call({}, "a"), TypeError, "Illegal invocation");
  assertThrows(() => Headers.prototype.append.call(new URLSearchParams(), "a", "b"), TypeError, "Illegal invocation");
  assertThrows(() => Headers.prototype.entries.call(null), TypeError, "Illegal invocation");
  assertThrows(() => Headers(), TypeError);
}

export function interfaceShape() {
  assertEquals(Headers.name, "Headers");
  assertEquals(Headers.length, 0);
  assertEquals(Object.prototype.toString.call(new Headers()), "[object Headers]");
  const desc = Object.getOwnPropertyDescriptor(Headers.prototype, "append");
  assertEquals([desc.enumerable, desc.writable, desc.configurable], [true, true, true]);
  const names = Object.getOwnPropertyNames(Headers.prototype);
  for (const name of ["append", "delete", "get", "getSetCookie", "has", "set", "entries", "keys", "values", "forEach"]) {
    assert(names.includes(name), name);
  }
}

export function subclassesWork() {
  class Loud extends Headers {
    get(name) { return super.get(name)?.toUpperCase() ?? null; }
  }
  const headers = new Loud({ a: "x" });
  assertEquals(headers.get("a"), "X");
  assert(headers instanceof Headers);
}
