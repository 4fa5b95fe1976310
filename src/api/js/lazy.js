// Areas of the global scope that load on first use, so that an idle isolate does not pay for
// them (docs/ARCHITECTURE.md, "Lazy areas"). An area is a folder src/api/js/<area>/ whose
// index.js exports its globals by name.
//
//   loadArea(name)                  -> the area's index.js exports (loaded once per isolate)
//   defineLazyGlobals(name, [names])   globalThis[n] for each name: loads the area on first
//                                      read, then becomes a plain data property
//
// Inside an area, import core files (../webidl.js, ../dom-exception.js, ...) and other areas'
// files normally: they resolve to the same instances the core uses.
//
// TEMPORARY: until the build splits areas out (in progress), they are bundled eagerly here.
import * as streams from "./streams/index.js";
import * as file from "./file/index.js";
import * as compression from "./compression/index.js";
import * as urlpattern from "./urlpattern/index.js";
import * as webcrypto from "./webcrypto/index.js";

const areas = { streams, file, compression, urlpattern, webcrypto };

export function loadArea(name) {
  const area = areas[name];
  if (!area) throw new Error(`wisp: unknown area "${name}"`);
  return area;
}

export function defineLazyGlobals(area, names) {
  for (const name of names) {
    const define = (value) => Object.defineProperty(globalThis, name, {
      value, writable: true, configurable: true, enumerable: false,
    });
    Object.defineProperty(globalThis, name, {
      configurable: true,
      enumerable: false,
      get() { const value = loadArea(area)[name]; define(value); return value; },
      set(value) { define(value); },
    });
  }
}
