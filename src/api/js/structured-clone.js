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
// Transfer: ArrayBuffers (C++ detaches them) and platform objects registered with
// defineTransferable() (MessagePort, messaging/), which must be host objects as in step 1:
//
//   defineTransferable(MessagePort, "MessagePort", {
//     isDetached(port) { ... },   // true: a DataCloneError, as for a detached ArrayBuffer
//     transfer(port) { ... },     // builds the new object with `new`, as deserialize() does,
//                                 // moves the state over and leaves `port` detached
//   });
//
// transfer() runs once the whole value is serialised (so a failure leaves the objects as they
// were), for each object of the list, where the value holds it or not.
import { ops } from "./ops.js";
import { loadArea } from "./lazy.js";
import {
  converters, createDictionaryConverter, createSequenceConverter, isInterfacePrototype, isObject, methodPrefix,
  requiredArguments,
} from "./webidl.js";
import { DOMException } from "./dom-exception.js";

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

const transferByPrototype = new Map();  // Class.prototype -> { tag, isDetached, transfer }

export function defineTransferable(Class, tag, steps) {
  transferByPrototype.set(Class.prototype, { tag, ...steps });
}

function transferStepsOf(object) {
  if (!isObject(object)) return undefined;
  for (let proto = Object.getPrototypeOf(object); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const steps = transferByPrototype.get(proto);
    if (steps) return steps;
  }
  return undefined;
}

// While structuredClone() runs with platform objects in its transfer list: those objects.
let transferring = null;
const transferTag = "wisp:transferred";

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
    // A transferred object is written as its index; deserialize() then calls its transfer().
    const index = transferring?.indexOf(object) ?? -1;
    if (index >= 0) return [transferTag, index];
    for (let proto = Object.getPrototypeOf(object); proto !== null; proto = Object.getPrototypeOf(proto)) {
      const steps = stepsByPrototype.get(proto);
      if (steps) return [steps.tag, steps.serialize(object)];
    }
    return undefined;
  },
  // Builds `object` (a blank host object already in the clone) from serialize()'s result.
  deserialize(object, [tag, data]) {
    if (tag === transferTag) return transferInto(object, transferring[data]);
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
  if (!transfer.some((item) => transferStepsOf(item))) return ops.structuredClone(value, transfer, hooks);
  return cloneTransferringPlatformObjects(value, transfer);
}

// https://html.spec.whatwg.org/#structuredserializewithtransfer with platform objects in the
// transfer list: C++ gets the ArrayBuffers; the objects go through `transferring`.
function cloneTransferringPlatformObjects(value, transfer) {
  const objects = new Map();
  const buffers = [];
  transfer.forEach((item, i) => {
    const steps = transferStepsOf(item);
    if (!steps) {
      buffers.push(item);  // C++ checks it is a transferable ArrayBuffer
    } else if (objects.has(item)) {
      throw new DOMException(`${steps.tag} at index ${i} is a duplicate of an earlier ${steps.tag}.`, "DataCloneError");
    } else if (steps.isDetached(item)) {
      throw new DOMException(`${steps.tag} at index ${i} is already detached.`, "DataCloneError");
    } else {
      objects.set(item, steps);
    }
  });
  if (transferring) throw new DOMException("structuredClone() re-entered while transferring", "DataCloneError");
  transferring = [...objects.keys()];
  let clone;
  try {
    clone = ops.structuredClone(value, buffers, hooks);
  } finally {
    transferring = null;
  }
  // Objects of the list that the value does not hold are detached all the same.
  for (const [object, steps] of objects) {
    if (!steps.isDetached(object)) steps.transfer(object);
  }
  return clone;
}

function transferInto(blankObject, original) {
  const steps = transferStepsOf(original);
  blank = blankObject;
  try {
    return steps.transfer(original);
  } finally {
    blank = null;
  }
}

// The same hooks serve RPC's serialization (rpc/serialize.js), which adds capabilities.
export { hooks as cloneHooks };
