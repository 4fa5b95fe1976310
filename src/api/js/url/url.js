// https://url.spec.whatwg.org/#api : URL and URLSearchParams, from the npm package whatwg-url
// (bundled at build time; its IDNA step and other dependencies are replaced, see
// scripts/bundle-js.mjs, tr46-icu.js and whatwg-url-deps.js).
import whatwgURL from "whatwg-url/webidl2js-wrapper.js";
import { basicURLParse, serializeURL } from "whatwg-url/lib/url-state-machine.js";

// whatwg-url installs its classes on an object of our choosing; they take their error classes
// and iterator prototypes from it. install() calls Object.hasOwn, which V8 only adds once the
// snapshot is deserialised (like other features still behind a shipped flag in 10.2), so it is
// lent for the call.
const realm = { Array, Object, Promise, String, TypeError };
const lendHasOwn = typeof Object.hasOwn !== "function";
if (lendHasOwn) {
  Object.defineProperty(Object, "hasOwn", {
    value: (object, key) => Object.prototype.hasOwnProperty.call(object, key),
    writable: true, configurable: true,
  });
}
try {
  whatwgURL.URL.install(realm, ["Worker"]);
  whatwgURL.URLSearchParams.install(realm, ["Worker"]);
} finally {
  if (lendHasOwn) delete Object.hasOwn;
}

export const URL = realm.URL;
export const URLSearchParams = realm.URLSearchParams;
// The bundler may rename the classes inside whatwg-url to avoid clashing with these exports.
Object.defineProperty(URL, "name", { value: "URL" });
Object.defineProperty(URLSearchParams, "name", { value: "URLSearchParams" });

// For other Web APIs (fetch): no URL object is made.

// https://url.spec.whatwg.org/#concept-url-parser then serialised: the href, or null on failure.
export function parseHref(input, base = undefined) {
  const baseURL = base === undefined ? null : basicURLParse(base);
  if (base !== undefined && baseURL === null) return null;
  const url = basicURLParse(input, { baseURL });
  return url === null ? null : serializeURL(url);
}

export function isURLSearchParams(value) {
  return whatwgURL.URLSearchParams.is(value);
}

const serializeParams = URLSearchParams.prototype.toString;

// https://url.spec.whatwg.org/#concept-urlsearchparams-list serialised as
// application/x-www-form-urlencoded.
export function serializeURLSearchParams(params) {
  return serializeParams.call(params);
}
