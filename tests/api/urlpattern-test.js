// URLPattern (https://urlpattern.spec.whatwg.org/), from urlpattern-polyfill.
import { assert, assertEquals, assertThrows } from "wisp:test";

export function matchesAndCapturesNamedGroups() {
  const pattern = new URLPattern({ pathname: "/books/:id(\\d+)" });
  assert(pattern.test("https://example.com/books/123"));
  assert(!pattern.test("https://example.com/books/abc"));
  const result = pattern.exec("https://example.com/books/123?x=1");
  assertEquals(result.pathname.groups, { id: "123" });
  assertEquals(result.search.input, "x=1");
}

export function constructorStringsWithABaseURL() {
  const pattern = new URLPattern("/api/*", "https://example.com");
  assertEquals(pattern.protocol, "https");
  assertEquals(pattern.hostname, "example.com");
  assertEquals(pattern.pathname, "/api/*");
  assert(pattern.test("https://example.com/api/v1/users"));
  assert(!pattern.test("http://example.com/api/v1/users"));
  assertEquals(pattern.exec("https://example.com/api/v1")?.pathname.groups, { 0: "v1" });
}

export function hostnameWildcardsAndOptionalGroups() {
  const pattern = new URLPattern({ hostname: "{*.}?example.com", pathname: "/:lang(en|fr)?/home" });
  assert(pattern.test({ hostname: "example.com", pathname: "/home" }));
  assert(pattern.test({ hostname: "www.example.com", pathname: "/fr/home" }));
  assert(!pattern.test({ hostname: "example.org", pathname: "/home" }));
}

export function ignoreCaseOption() {
  assert(new URLPattern({ pathname: "/Path" }, { ignoreCase: true }).test({ pathname: "/pATH" }));
  assert(!new URLPattern({ pathname: "/Path" }).test({ pathname: "/pATH" }));
}

export function invalidPatternsThrowTypeError() {
  assertThrows(() => new URLPattern({ pathname: "/(" }), TypeError);
  assertThrows(() => new URLPattern("relative/path"), TypeError);
}

export function routesRequestsInAFetchHandler() {
  const routes = [
    [new URLPattern({ pathname: "/users/:id" }), (m) => `user ${m.pathname.groups.id}`],
    [new URLPattern({ pathname: "/" }), () => "home"],
  ];
  const route = (url) => {
    for (const [pattern, handler] of routes) {
      const match = pattern.exec(url);
      if (match) return handler(match);
    }
    return "not found";
  };
  assertEquals(route(new Request("https://w.dev/users/7").url), "user 7");
  assertEquals(route("https://w.dev/"), "home");
  assertEquals(route("https://w.dev/nope"), "not found");
}
