// Web IDL helpers shared by every JS-implemented interface: argument-count checks, brand-check
// errors, and the type converters of https://webidl.spec.whatwg.org/#js-type-mapping.
//
// Every converter has the shape `(value, prefix, context)`:
//   prefix   "Failed to execute 'x' on 'Y'" (see methodPrefix / constructPrefix)
//   context  what is being converted, e.g. "parameter 1" or "member 'signal' of 'RequestInit'"
// and throws TypeError(`${prefix}: ${context} ...`) on a bad value.

export function methodPrefix(iface, method) {
  return `Failed to execute '${method}' on '${iface}'`;
}

export function constructPrefix(iface) {
  return `Failed to construct '${iface}'`;
}

// https://webidl.spec.whatwg.org/#dfn-overload-resolution-algorithm (step: too few arguments)
export function requiredArguments(present, required, prefix) {
  if (present >= required) return;
  const noun = required === 1 ? "argument" : "arguments";
  throw new TypeError(`${prefix}: ${required} ${noun} required, but only ${present} present.`);
}

// A method or accessor called on an object that lacks the interface's #private brand.
export function illegalInvocation() {
  throw new TypeError("Illegal invocation");
}

// An interface without a constructor (Crypto, Performance, ...): `new X()` from user code.
export function illegalConstructor() {
  throw new TypeError("Illegal constructor");
}

// Passed as the first constructor argument by runtime code that may construct an interface
// whose constructor is illegal for user code.
export const internalKey = Symbol("wisp.internal");

export function makeException(ErrorType, message, prefix, context) {
  const where = context ? `${context} ` : "";
  return new ErrorType(prefix ? `${prefix}: ${where}${message}` : `${where}${message}`);
}

function typeError(message, prefix, context) {
  return makeException(TypeError, message, prefix, context);
}

const interfacePrototypes = new WeakSet();  // filled by configureInterface

// Whether `value` is the prototype object of an interface (structuredClone refuses instances).
export function isInterfacePrototype(value) {
  return interfacePrototypes.has(value);
}

// Makes a class look like a Web IDL interface: operations and attributes on the prototype are
// enumerable, and Object.prototype.toString gives "[object Name]". Pass the name: the bundler
// renames a class whose name clashes with another file's (Class.name would then be "Event2").
export function configureInterface(Class, name = Class.name) {
  interfacePrototypes.add(Class.prototype);
  Object.defineProperty(Class, "name", { value: name, writable: false, enumerable: false, configurable: true });
  for (const [target, skip] of [[Class.prototype, ["constructor"]], [Class, ["prototype", "name", "length"]]]) {
    for (const key of Reflect.ownKeys(target)) {
      if (skip.includes(key)) continue;
      const desc = Object.getOwnPropertyDescriptor(target, key);
      if (desc.configurable && !desc.enumerable) {
        Object.defineProperty(target, key, { ...desc, enumerable: true });
      }
    }
  }
  Object.defineProperty(Class.prototype, Symbol.toStringTag, {
    value: name, writable: false, enumerable: false, configurable: true,
  });
}

// The attribute getters of the interfaces `value` implements, most derived first: console.log
// shows their values, as Node does for its URL.
export function interfaceAttributes(value) {
  const attributes = [];
  for (let proto = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (!interfacePrototypes.has(proto)) continue;
    for (const key of Object.getOwnPropertyNames(proto)) {
      const desc = Object.getOwnPropertyDescriptor(proto, key);
      if (desc.get && desc.enumerable) attributes.push([key, desc.get]);
    }
  }
  return attributes;
}

// Defines Web IDL constants: readonly, enumerable, on both the interface and its prototype.
export function defineConstants(Class, constants) {
  for (const [name, value] of Object.entries(constants)) {
    const desc = { value, writable: false, enumerable: true, configurable: false };
    Object.defineProperty(Class, name, desc);
    Object.defineProperty(Class.prototype, name, desc);
  }
}

// https://webidl.spec.whatwg.org/#abstract-opdef-converttoint
function toInt(bitLength, signed) {
  const upper = signed ? 2 ** (bitLength - 1) - 1 : 2 ** bitLength - 1;
  const lower = signed ? -(2 ** (bitLength - 1)) : 0;
  const twoTo = 2 ** bitLength;
  const half = 2 ** (bitLength - 1);
  return (value, prefix, context, opts = {}) => {
    let x = Number(value);
    if (opts.enforceRange) {
      if (!Number.isFinite(x)) throw typeError("is not a finite number.", prefix, context);
      x = Math.trunc(x);
      if (x < lower || x > upper) {
        throw typeError(`is outside the range [${lower}, ${upper}].`, prefix, context);
      }
      return x;
    }
    if (!Number.isNaN(x) && opts.clamp) {
      x = Math.min(Math.max(x, lower), upper);
      const r = Math.round(x);  // round half to even
      return (Math.abs(x % 1) === 0.5 && r % 2 !== 0) ? r - 1 : r + 0;
    }
    if (!Number.isFinite(x) || x === 0) return 0;
    x = Math.trunc(x);
    if (x >= lower && x <= upper) return x;
    x = ((x % twoTo) + twoTo) % twoTo;
    return signed && x >= half ? x - twoTo : x;
  };
}

// Web IDL's "is an Object": also the guard before a `#field in value` brand check.
export function isObject(value) {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

// Brand checks through the byteLength getters, which instanceof or a forged prototype can't fool.
// SharedArrayBuffer may be switched off in the isolate.
const arrayBufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;
const sharedByteLength = typeof SharedArrayBuffer === "function"
  ? Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength").get
  : null;

function hasInternalSlot(getter, value) {
  try {
    Reflect.apply(getter, value, []);
    return true;
  } catch {
    return false;
  }
}

const isArrayBuffer = (value) => hasInternalSlot(arrayBufferByteLength, value);
const isSharedArrayBuffer = (value) => sharedByteLength !== null && hasInternalSlot(sharedByteLength, value);

export const converters = {
  any: (v) => v,
  undefined: () => undefined,
  boolean: (v) => Boolean(v),
  byte: toInt(8, true),
  octet: toInt(8, false),
  short: toInt(16, true),
  "unsigned short": toInt(16, false),
  long: toInt(32, true),
  "unsigned long": toInt(32, false),
  "long long": toInt(64, true),
  "unsigned long long": toInt(64, false),

  double(v, prefix, context) {
    const x = Number(v);
    if (!Number.isFinite(x)) throw typeError("is not a finite floating-point value.", prefix, context);
    return x;
  },
  "unrestricted double": (v) => Number(v),

  DOMString(v, prefix, context, opts = {}) {
    if (typeof v === "string") return v;
    if (v === null && opts.treatNullAsEmptyString) return "";
    if (typeof v === "symbol") throw typeError("is a symbol, which cannot be converted to a string.", prefix, context);
    return String(v);
  },
  ByteString(v, prefix, context) {
    const s = converters.DOMString(v, prefix, context);
    // eslint-disable-next-line no-control-regex
    if (/[^\x00-\xFF]/.test(s)) throw typeError("is not a valid ByteString.", prefix, context);
    return s;
  },
  USVString(v, prefix, context) {
    return toWellFormed(converters.DOMString(v, prefix, context));
  },

  object(v, prefix, context) {
    if (!isObject(v)) throw typeError("is not of type 'object'.", prefix, context);
    return v;
  },
  // A callback function type (Function, VoidFunction, ...).
  Function(v, prefix, context) {
    if (typeof v !== "function") throw typeError("is not of type 'Function'.", prefix, context);
    return v;
  },

  ArrayBuffer(v, prefix, context) {
    if (!isArrayBuffer(v)) throw typeError("is not of type 'ArrayBuffer'.", prefix, context);
    return v;
  },
  ArrayBufferView(v, prefix, context) {
    if (!ArrayBuffer.isView(v) || isSharedArrayBuffer(v.buffer)) {
      throw typeError("is not of type 'ArrayBufferView'.", prefix, context);
    }
    return v;
  },
  BufferSource(v, prefix, context) {
    if (ArrayBuffer.isView(v) ? isSharedArrayBuffer(v.buffer) : !isArrayBuffer(v)) {
      throw typeError("is not of type '(ArrayBuffer or ArrayBufferView)'.", prefix, context);
    }
    return v;
  },
};

// String.prototype.toWellFormed arrived after V8 10.2: replace lone surrogates by U+FFFD.
export function toWellFormed(s) {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

export function createNullableConverter(convert) {
  return (v, prefix, context, opts) => (v === null || v === undefined ? null : convert(v, prefix, context, opts));
}

export function createEnumConverter(name, values) {
  const allowed = new Set(values);
  return (v, prefix, context) => {
    const s = String(v);
    if (!allowed.has(s)) {
      throw typeError(`The provided value '${s}' is not a valid enum value of type ${name}.`, prefix, "");
    }
    return s;
  };
}

// https://webidl.spec.whatwg.org/#es-sequence
export function createSequenceConverter(convert) {
  return (v, prefix, context) => {
    const method = isObject(v) ? v[Symbol.iterator] : undefined;
    if (typeof method !== "function") {
      throw typeError("can not be converted to sequence.", prefix, context);
    }
    const out = [];
    for (const item of { [Symbol.iterator]: () => method.call(v) }) {
      out.push(convert(item, prefix, `${context}, index ${out.length}`));
    }
    return out;
  };
}

// https://webidl.spec.whatwg.org/#es-record
export function createRecordConverter(convertKey, convertValue) {
  return (v, prefix, context) => {
    if (!isObject(v)) throw typeError("can not be converted to a record.", prefix, context);
    const out = {};
    for (const key of Reflect.ownKeys(v)) {
      const desc = Reflect.getOwnPropertyDescriptor(v, key);
      if (!desc || !desc.enumerable) continue;
      const k = convertKey(key, prefix, context);
      out[k] = convertValue(v[key], prefix, `${context}, member '${k}'`);
    }
    return out;
  };
}

// https://webidl.spec.whatwg.org/#es-dictionary
// members: [{ key, converter, required?, defaultValue? }]; keys are read in sorted order.
export function createDictionaryConverter(name, ...memberLists) {
  const members = memberLists.flat().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return (v, prefix, context) => {
    if (v !== undefined && v !== null && !isObject(v)) {
      throw typeError(`is not of type '${name}'.`, prefix, context);
    }
    const out = {};
    for (const m of members) {
      const raw = v === undefined || v === null ? undefined : v[m.key];
      if (raw !== undefined) {
        out[m.key] = m.converter(raw, prefix, `member '${m.key}' of '${name}'`, m);
      } else if (m.required) {
        throw typeError(`Required member is undefined.`, prefix, `member '${m.key}' of '${name}'`);
      } else if ("defaultValue" in m) {
        out[m.key] = m.defaultValue;
      }
    }
    return out;
  };
}

// Converter for an interface type. `is(value)` is the brand check (usually `#field in value`,
// exposed by the class as a static).
export function createInterfaceConverter(name, is) {
  return (v, prefix, context) => {
    if (!is(v)) throw typeError(`is not of type '${name}'.`, prefix, context);
    return v;
  };
}
