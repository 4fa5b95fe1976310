// URL and URLSearchParams (https://url.spec.whatwg.org/#api), from whatwg-url with IDNA in ICU.
import { assert, assertEquals, assertThrows } from "wisp:test";

export function parsesAbsoluteURL() {
  const url = new URL("HTTPS://user:pw@Example.COM:8080/a/../b/./c?x=1&y=%20#frag");
  assertEquals(url.href, "https://user:pw@example.com:8080/b/c?x=1&y=%20#frag");
  assertEquals(
    [url.protocol, url.username, url.password, url.host, url.hostname, url.port, url.pathname, url.search, url.hash],
    ["https:", "user", "pw", "example.com:8080", "example.com", "8080", "/b/c", "?x=1&y=%20", "#frag"],
  );
  assertEquals(url.origin, "https://example.com:8080");
  assertEquals(String(url), url.href);
  assertEquals(url.toJSON(), url.href);
  assertEquals(JSON.stringify({ url }), '{"url":"https://user:pw@example.com:8080/b/c?x=1&y=%20#frag"}');
}

export function defaultPortIsDropped() {
  assertEquals(new URL("http://example.com:80/").href, "http://example.com/");
  assertEquals(new URL("https://example.com:443").port, "");
}

export function resolvesAgainstBase() {
  assertEquals(new URL("../x?q", "https://example.com/a/b/c").href, "https://example.com/a/x?q");
  assertEquals(new URL("//other.org/p", "https://example.com/").href, "https://other.org/p");
  assertEquals(new URL("?q", new URL("https://example.com/path")).href, "https://example.com/path?q");
}

export function invalidURLThrowsTypeError() {
  assertThrows(() => new URL("not a url"), TypeError, "Invalid URL");
  assertThrows(() => new URL("/relative"), TypeError, "Invalid URL");
  assertThrows(() => new URL("http://exa mple.com/"), TypeError);
  assertThrows(() => new URL("https://example.com:99999/"), TypeError);
  assertThrows(() => new URL("x", "not a base"), TypeError, "Invalid base URL");
  assertThrows(() => new URL(), TypeError, "1 argument required, but only 0 present");
  assertThrows(() => new URL(Symbol("s")), TypeError);
}

export function canParseAndParse() {
  assertEquals(URL.canParse("https://example.com"), true);
  assertEquals(URL.canParse("nope"), false);
  assertEquals(URL.canParse("/p", "https://example.com"), true);
  assertEquals(URL.parse("nope"), null);
  const parsed = URL.parse("/p", "https://example.com");
  assert(parsed instanceof URL);
  assertEquals(parsed.href, "https://example.com/p");
}

export function settersUpdateTheURL() {
  const url = new URL("https://example.com/path?a=1#h");
  url.pathname = "/new path";
  url.search = "?b=2";
  url.hash = "top";
  url.hostname = "EXAMPLE.org";
  url.port = "8443";
  assertEquals(url.href, "https://example.org:8443/new%20path?b=2#top");
  url.protocol = "http";
  assertEquals(url.protocol, "http:");
  assertThrows(() => { url.href = "garbage"; }, TypeError);
  assertEquals(url.href, "http://example.org:8443/new%20path?b=2#top");
}

export function internationalDomainGoesThroughICU() {
  assertEquals(new URL("https://bücher.example/").hostname, "xn--bcher-kva.example");
  assertEquals(new URL("https://BÜCHER.example/").host, "xn--bcher-kva.example");
  // A zero-width joiner outside its allowed context fails CheckJoiners.
  assertThrows(() => new URL("https://a\u200Db.example/"), TypeError);
  assertEquals(URL.canParse("https://a\u200Db.example/"), false);
}

export function asciiHostsAreLowercased() {
  assertEquals(new URL("http://WWW.Example.COM/").hostname, "www.example.com");
  assertEquals(new URL("http://192.168.0.1/").hostname, "192.168.0.1");
  assertEquals(new URL("http://0x7f.1/").hostname, "127.0.0.1");
  assertEquals(new URL("http://[::1]:81/").host, "[::1]:81");
}

export function loneSurrogatesBecomeReplacementCharacters() {
  assertEquals(new URL("https://example.com/\uD800").pathname, "/%EF%BF%BD");
  assertEquals(new URL("https://example.com/?q=\uDC00x").search, "?q=%EF%BF%BDx");
  assertEquals(new URL("https://example.com/é😀").pathname, "/%C3%A9%F0%9F%98%80");
}

export function searchParamsIsLive() {
  const url = new URL("https://example.com/?a=1&b=2");
  assert(url.searchParams === url.searchParams);
  assertEquals(url.searchParams.get("a"), "1");
  url.searchParams.append("c", "x y");
  assertEquals(url.search, "?a=1&b=2&c=x+y");
  url.search = "?z=9";
  assertEquals([...url.searchParams], [["z", "9"]]);
  url.searchParams.delete("z");
  assertEquals(url.href, "https://example.com/");
}

export function urlSearchParamsConstructors() {
  assertEquals(new URLSearchParams("?a=1&a=2&b").toString(), "a=1&a=2&b=");
  assertEquals(new URLSearchParams([["a", "1"], ["b", "2"]]).toString(), "a=1&b=2");
  assertEquals(new URLSearchParams({ x: "1", y: "é" }).toString(), "x=1&y=%C3%A9");
  assertEquals(new URLSearchParams(new URLSearchParams("k=v")).get("k"), "v");
  assertEquals(new URLSearchParams().size, 0);
  assertThrows(() => new URLSearchParams([["a"]]), TypeError);
  assertThrows(() => new URLSearchParams([["a", "b", "c"]]), TypeError);
}

export function urlSearchParamsMethods() {
  const params = new URLSearchParams("b=2&a=1&b=3&c=%26+%3D");
  assertEquals(params.get("b"), "2");
  assertEquals(params.getAll("b"), ["2", "3"]);
  assertEquals(params.get("c"), "& =");
  assertEquals(params.get("missing"), null);
  assertEquals([params.has("a"), params.has("b", "3"), params.has("b", "9")], [true, true, false]);
  params.set("b", "4");
  assertEquals(params.getAll("b"), ["4"]);
  params.delete("a", "nope");
  assert(params.has("a"));
  params.sort();
  assertEquals([...params.keys()], ["a", "b", "c"]);
  assertEquals([...params.values()], ["1", "4", "& ="]);
  const seen = [];
  params.forEach((value, key, self) => seen.push([key, value, self === params]));
  assertEquals(seen, [["a", "1", true], ["b", "4", true], ["c", "& =", true]]);
  assertEquals(params.size, 3);
  assertEquals(params.toString(), "a=1&b=4&c=%26+%3D");
}

export function classesLookLikeWebIDLInterfaces() {
  assertEquals([URL.name, URLSearchParams.name], ["URL", "URLSearchParams"]);
  assertEquals(URL.length, 1);
  assertEquals(Object.prototype.toString.call(new URL("https://a.b")), "[object URL]");
  assertEquals(Object.prototype.toString.call(new URLSearchParams()), "[object URLSearchParams]");
  assertEquals(Object.prototype.toString.call(new URLSearchParams()[Symbol.iterator]()), "[object URLSearchParams Iterator]");
  assertEquals(typeof URL.canParse, "function");
  assertEquals(typeof URL.parse, "function");
  const desc = Object.getOwnPropertyDescriptor(globalThis, "URL");
  assertEquals([desc.writable, desc.enumerable, desc.configurable], [true, false, true]);
  assertThrows(() => URL(), TypeError);
}

export function brandChecksRejectForeignObjects() {
  const getter = Object.getOwnPropertyDescriptor(URL.prototype, "href").get;
  assertThrows(() => getter.call({}), TypeError);
  assertThrows(() => URLSearchParams.prototype.get.call({}, "a"), TypeError);
  assertThrows(() => URL.prototype.toString.call(new URLSearchParams()), TypeError);
}

export function subclassesWork() {
  class MyURL extends URL {
    get extra() { return this.hostname.toUpperCase(); }
  }
  const url = new MyURL("https://example.com/");
  assert(url instanceof URL);
  assertEquals(url.extra, "EXAMPLE.COM");
}
