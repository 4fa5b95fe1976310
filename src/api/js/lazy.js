// Areas of the global scope that load on first use, so that an idle isolate does not pay for
// them. An area is a folder src/api/js/<area>/ with an index.js that exports its globals by
// name; scripts/bundle-js.mjs bundles each one apart from the core (which is in the startup
// snapshot), and C++ keeps its source in the binary until an isolate asks for it.
//
//   loadArea(name)                     -> the area's index.js exports (loaded once per isolate)
//   defineLazyGlobals(name, [names])   globalThis[n] for each name: loads the area on first
//                                      read, then becomes a plain data property
//
// Core code reaches an area only through loadArea(), when it needs it (never at module top
// level). Inside an area, files of the core and of other areas are imported normally: the
// bundler turns those imports into requireModule() calls, so they get these very instances.
import { ops } from "./ops.js";

let coreModules = null;
const areaModules = new Map();  // area name -> { module id -> namespace }

// Called once by the core bundle's entry, while the snapshot is built.
export function registerCoreModules(modules) {
  coreModules = modules;
}

function requireModule(id) {
  if (Object.hasOwn(coreModules, id)) return coreModules[id];
  const area = id.split("/")[0];
  const modules = loadAreaModules(area);
  if (!Object.hasOwn(modules, id)) throw new Error(`wisp: no module "${id}" in area "${area}"`);
  return modules[id];
}

function loadAreaModules(name) {
  let modules = areaModules.get(name);
  if (!modules) {
    const factory = ops.loadArea(name);  // throws for an unknown area
    modules = factory(requireModule);
    areaModules.set(name, modules);
  }
  return modules;
}

export function loadArea(name) {
  return loadAreaModules(name)[`${name}/index.js`];
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
