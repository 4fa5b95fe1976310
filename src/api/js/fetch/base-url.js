// https://html.spec.whatwg.org/multipage/webappapis.html#api-base-url
//
// The URL that Request and Response.redirect() parse relative URLs against. A Worker has none,
// as in Workers: `new Request("/x")` is a TypeError. The one exception is the WPT harness
// (tests/wpt/prelude.js), which runs tests written for a page at
// http://web-platform.test:8000/<dir>/<file>.html: it stores that page's URL under this
// registered symbol on the global before any test runs. Nothing else sets it.
import { parseHref } from "../url/url.js";

const harnessBaseKey = Symbol.for("wisp.wpt.apiBaseURL");

// The serialised URL `input` names, or null if it is not a valid URL (relative ones only count
// when a harness gave a base).
export function parseRequestURL(input) {
  const href = parseHref(input);
  if (href !== null) return href;
  const base = globalThis[harnessBaseKey];
  return typeof base === "string" ? parseHref(input, base) : null;
}
