// https://html.spec.whatwg.org/#dom-structuredclone. V8's ValueSerializer does the work in C++
// (src/js/serialize.cc, which explains the mechanism); this file tells it about the platform
// objects implemented in JavaScript.
//
// Not serialisable, the default: an instance of any class passed to configureInterface()
// (webidl.js) throws DataCloneError, as HTML says for Headers, Request, Event, ... Nothing to do
// for those; a class made some other way (whatwg-url's URL) is named with
// markPlatformInterface().
//
// Serialisable (https://html.spec.whatwg.org/#serializable-objects: DOMException here; Blob,
// File and CryptoKey in their areas, named in areaOfTag below) takes two steps:
//
//  1. The instances must be host objects, or V8 never asks wisp about them. Either the root
//     class extends PlatformObject (a subclass inherits it):
//
//       export class Thing extends PlatformObject { #state; ... }
//
//     which leaves Thing.prototype's chain as it was but makes Object.getPrototypeOf(Thing)
//     PlatformObject instead of Function.prototype; or, where that shows (idlharness checks it
//     for every interface without a parent: DOMException, Blob, CryptoKey), the constructor
//     returns `newPlatformObject(new.target)` and keeps the state in a WeakMap keyed by it (see
//     dom-exception.js). A subclass of such a class (File) may keep #private fields: they land
//     on the object the base constructor returned.
//
//  2. Register the serialisation steps, next to configureInterface():
//
//       defineSerializable(Blob, "Blob", {
//         serialize(blob) { ... return { bytes, type }; },  // any value structuredClone copies
//         deserialize({ bytes, type }) { return new Blob(internalKey, [bytes, type]); },
//       });
//
//     The tag ("Blob") names the steps inside serialised data; keep it stable. serialize()
//     gets an instance of the class, or of a subclass that has no steps of its own (so an
//     instance deserialises as its closest serialisable class); check the brand and throw a
//     DataCloneError DOMException for an object the steps cannot handle. deserialize() gets
//     a copy of what serialize() returned and returns the new object, made with `new` of the
//     class: V8 runs no JavaScript while it deserialises, so the object it placed in the clone
//     is handed to the first PlatformObject that `new` makes; make no other platform object
//     before that one. It must not depend on the global (the interface may have been deleted
//     from it).
//
// Transfer: only ArrayBuffers so far (detached after the clone). Transferable platform objects
// (MessagePort, streams) would need a third hook; none exists yet.
import { ops } from "./ops.js";
import { loadArea } from "./lazy.js";
import {
  converters, createDictionaryConverter, createSequenceConverter, isInterfacePrototype, methodPrefix,
  requiredArguments,
} from "./webidl.js";

// While deserialisation steps run: the object V8 put in the clone, for newPlatformObject.
let blank = null;

// A host object for a constructor's `new.target` (step 1 above). A `prototype` that is not an
// object falls back to Object.prototype.
export function newPlatformObject(newTarget) {
  const prototype = newTarget.prototype;
  const isObject = (typeof prototype === "object" && prototype !== null) || typeof prototype === "function";
  if (blank !== null) {
    // Deserialising: the object is the one already in the clone.
    const object = blank;
    blank = null;
    Object.setPrototypeOf(object, isObject ? prototype : Object.prototype);
    return object;
  }
  return ops.newPlatformObject(isObject ? prototype : Object.prototype);
}

// The base of serialisable interfaces (step 1 above).
export function PlatformObject() {
  if (new.target === undefined) throw new TypeError("Illegal constructor");
  return newPlatformObject(new.target);
}
// What `class X extends PlatformObject` makes X.prototype inherit from.
PlatformObject.prototype = Object.prototype;

// For interfaces that do not go through configureInterface(): Class.prototype -> name.
const otherInterfaces = new WeakMap();

export function markPlatformInterface(Class, name) {
  otherInterfaces.set(Class.prototype, name);
}

const stepsByPrototype = new Map();  // Class.prototype -> { tag, serialize }
const deserializeByTag = new Map();  // tag -> deserialize
// The lazy area (lazy.js) that defines a tag's steps: data serialised in another isolate (RPC)
// may name a class this one has not loaded yet.
const areaOfTag = { Blob: "file", File: "file", CryptoKey: "webcrypto" };

export function defineSerializable(Class, tag, { serialize, deserialize }) {
  if (deserializeByTag.has(tag)) throw new Error(`wisp: serialisation tag ${tag} defined twice`);
  stepsByPrototype.set(Class.prototype, { tag, serialize });
  deserializeByTag.set(tag, deserialize);
}

// What C++ calls (src/js/serialize.cc).
const hooks = {
  // The interface whose prototype object `prototype` is (configureInterface's name), or undefined.
  interfaceName(prototype) {
    if (otherInterfaces.has(prototype)) return otherInterfaces.get(prototype);
    if (!isInterfacePrototype(prototype)) return undefined;
    const name = Object.getOwnPropertyDescriptor(prototype, Symbol.toStringTag)?.value;
    return typeof name === "string" ? name : "";
  },
  // -> [tag, data], or undefined when the object has no serialisation steps (C++ then throws
  // DataCloneError).
  serialize(object) {
    for (let proto = Object.getPrototypeOf(object); proto !== null; proto = Object.getPrototypeOf(proto)) {
      const steps = stepsByPrototype.get(proto);
      if (steps) return [steps.tag, steps.serialize(object)];
    }
    return undefined;
  },
  // Builds `object` (a blank host object already in the clone) from serialize()'s result.
  deserialize(object, [tag, data]) {
    if (!deserializeByTag.has(tag) && Object.hasOwn(areaOfTag, tag)) loadArea(areaOfTag[tag]);
    const deserialize = deserializeByTag.get(tag);
    if (!deserialize) throw new TypeError(`wisp: no deserialisation steps for ${tag}`);
    blank = object;
    try {
      return deserialize(data);
    } finally {
      blank = null;
    }
  },
};

const convertOptions = createDictionaryConverter("StructuredSerializeOptions", [
  { key: "transfer", converter: createSequenceConverter(converters.object), defaultValue: [] },
]);

export function structuredClone(value, options = undefined) {
  const prefix = methodPrefix("ServiceWorkerGlobalScope", "structuredClone");
  requiredArguments(arguments.length, 1, prefix);
  // The sequence converter makes any iterable a real Array, which is what C++ reads.
  const { transfer } = convertOptions(options, prefix, "parameter 2");
  return ops.structuredClone(value, transfer, hooks);
}

// The same hooks serve RPC's serialization (rpc/serialize.js), which adds capabilities.
export { hooks as cloneHooks };
