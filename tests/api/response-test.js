// Response (https://fetch.spec.whatwg.org/#response-class), with Workers' differences.
import { assert, assertEquals, assertThrows } from "wisp:test";

export function defaults() {
  const response = new Response();
  assertEquals(
    [response.type, response.url, response.redirected, response.status, response.ok, response.statusText],
    ["default", "", false, 200, true, "OK"],
  );
  assertEquals([...response.headers], []);
  assertEquals(response.bodyUsed, false);
  assertEquals(response.cf, undefined);
}

export function statusAndStatusText() {
  const response = new Response("x", { status: 404, statusText: "Nope" });
  assertEquals([response.status, response.statusText, response.ok], [404, "Nope", false]);
  // Workers fills in the standard reason phrase when none is given.
  assertEquals(new Response(null, { status: 201 }).statusText, "Created");
  assertEquals(new Response(null, { status: 299 }).statusText, "Successful");
  assertEquals(new Response(null, { status: 599 }).statusText, "Server Error");
  assertEquals(new Response(null, { status: 500, statusText: "" }).statusText, "");
  assertEquals(new Response(null, { status: 299 }).ok, true);
  assertEquals(new Response(null, { status: 300 }).ok, false);
}

export function statusOutOfRangeThrowsRangeError() {
  const message = "Responses may only be constructed with status codes in the range 200 to 599, inclusive.";
  for (const status of [0, 100, 101, 199, 600, 999, -1, 70000]) {
    assertThrows(() => new Response(null, { status }), RangeError, message);
  }
  // unsigned short conversion: 65736 wraps to 200.
  assertEquals(new Response(null, { status: 65736 }).status, 200);
  assertEquals(new Response(null, { status: "204" }).status, 204);
}

export function invalidStatusTextThrows() {
  assertThrows(() => new Response(null, { statusText: "a\r\nSet-Cookie: x" }), TypeError, "Invalid statusText");
  assertThrows(() => new Response(null, { statusText: "\0" }), TypeError);
  assertThrows(() => new Response(null, { statusText: "€" }), TypeError, "ByteString");
}

export async function nullBodyStatuses() {
  const message = "Response with null body status (101, 204, 205, or 304) cannot have a body.";
  for (const status of [204, 205, 304]) {
    assertThrows(() => new Response("x", { status }), TypeError, message);
    assertEquals(new Response(null, { status }).status, status);
    // Workers allows a zero-length body there and treats it as null.
    const empty = new Response("", { status });
    assertEquals(empty.headers.has("content-type"), false);
    assertEquals(await empty.text(), "");
  }
}

export function headersInit() {
  const response = new Response("x", { headers: [["X-A", "1"], ["Set-Cookie", "a"], ["Set-Cookie", "b"]] });
  assertEquals(response.headers.getSetCookie(), ["a", "b"]);
  assertEquals(response.headers.get("content-type"), "text/plain;charset=UTF-8");
  response.headers.set("x-b", "2");
  assertThrows(() => new Response(null, { headers: [["a"]] }), TypeError);
  assertThrows(() => new Response(null, 5), TypeError, "ResponseInit");
}

export async function initCanBeAnotherResponse() {
  const original = new Response("body", { status: 418, statusText: "Teapot", headers: { a: "1" }, cf: { k: 1 } });
  const copy = new Response("other", original);
  assertEquals([copy.status, copy.statusText, copy.headers.get("a")], [418, "Teapot", "1"]);
  assertEquals(copy.cf, { k: 1 });
  assert(copy.headers !== original.headers);
  assertEquals(await copy.text(), "other");
  assertEquals(original.bodyUsed, false);
}

export function error() {
  const response = Response.error();
  assertEquals([response.type, response.status, response.statusText, response.ok, response.url], ["error", 0, "", false, ""]);
  assertThrows(() => response.headers.set("a", "b"), TypeError, "Can't modify immutable headers.");
  assertEquals(response.clone().type, "error");
}

export function redirect() {
  const response = Response.redirect("https://example.com/a b");
  assertEquals(response.status, 302);
  assertEquals(response.statusText, "Found");
  assertEquals(response.headers.get("location"), "https://example.com/a%20b");
  assertThrows(() => response.headers.set("location", "x"), TypeError, "Can't modify immutable headers.");
  for (const status of [301, 302, 303, 307, 308]) {
    assertEquals(Response.redirect("https://example.com/", status).status, status);
  }
  assertEquals(Response.redirect(new URL("https://example.com/u")).headers.get("location"), "https://example.com/u");
}

export function badRedirects() {
  for (const status of [200, 300, 304, 309, 0]) {
    assertThrows(() => Response.redirect("https://example.com/", status), RangeError,
      `${status} is not a redirect status code. It must be one of: 301, 302, 303, 307, or 308.`);
  }
  assertThrows(() => Response.redirect("/relative"), TypeError, "Unable to parse URL: /relative");
  assertThrows(() => Response.redirect(), TypeError, "1 argument required");
}

export async function json() {
  const response = Response.json({ a: 1, b: ["x"] });
  assertEquals(response.headers.get("content-type"), "application/json");
  assertEquals(response.status, 200);
  assertEquals(await response.text(), '{"a":1,"b":["x"]}');

  const custom = Response.json("s", { status: 201, headers: { "content-type": "application/vnd.x+json" } });
  assertEquals([custom.status, custom.headers.get("content-type")], [201, "application/vnd.x+json"]);
  assertEquals(await custom.json(), "s");
  assertEquals(await Response.json(null).text(), "null");
}

export function jsonErrors() {
  assertThrows(() => Response.json(undefined), TypeError, "not JSON serializable");
  assertThrows(() => Response.json(() => {}), TypeError);
  assertThrows(() => Response.json(1n), TypeError);
  const cyclic = {};
  cyclic.self = cyclic;
  assertThrows(() => Response.json(cyclic), TypeError);
  assertThrows(() => Response.json({}, { status: 204 }), TypeError, "null body status");
  assertThrows(() => Response.json({}, { status: 1000 }), RangeError);
  assertThrows(() => Response.json(), TypeError, "1 argument required");
}

export async function cloneIsIndependent() {
  const response = new Response("data", { status: 202, headers: { x: "1" } });
  const clone = response.clone();
  assertEquals([clone.status, clone.statusText, clone.headers.get("x")], [202, "Accepted", "1"]);
  clone.headers.set("x", "2");
  assertEquals(response.headers.get("x"), "1");
  assertEquals(await clone.text(), "data");
  assertEquals(await response.text(), "data");
  assertThrows(() => response.clone(), TypeError, "Response body is already used.");
  // Immutable headers stay immutable in a clone.
  const redirect = Response.redirect("https://example.com/").clone();
  assertThrows(() => redirect.headers.set("a", "b"), TypeError, "Can't modify immutable headers.");
}

export function brandChecks() {
  const status = Object.getOwnPropertyDescriptor(Response.prototype, "status").get;
  assertThrows(() => status.call({}), TypeError, "Illegal invocation");
  assertThrows(() => status.call(new Request("https://example.com/")), TypeError, "Illegal invocation");
  assertThrows(() => Response.prototype.clone.call({}), TypeError, "Illegal invocation");
  assertThrows(() => Response(), TypeError);
}

export function interfaceShape() {
  assertEquals([Response.name, Response.length], ["Response", 0]);
  assertEquals(Object.prototype.toString.call(new Response()), "[object Response]");
  for (const name of ["error", "redirect", "json"]) assertEquals(typeof Response[name], "function");
  const names = Object.getOwnPropertyNames(Response.prototype);
  for (const name of ["type", "url", "redirected", "status", "ok", "statusText", "headers", "clone"]) {
    assert(names.includes(name), name);
  }
  assert(Response.error() instanceof Response);
  class Sub extends Response {}
  assert(new Sub("x") instanceof Response);
}

export function nullBodyStatusRefusesAStream() {
  assertThrows(() => new Response(new ReadableStream(), { status: 204 }), TypeError, "null body status");
}
