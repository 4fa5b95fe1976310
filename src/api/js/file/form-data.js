// https://xhr.spec.whatwg.org/#interface-formdata
//
// There are no HTML forms here: the constructor accepts no form, as in Workers.
import {
  configureInterface, constructPrefix, converters, illegalInvocation, isObject, makeException,
  methodPrefix, requiredArguments,
} from "../webidl.js";
import { bytesOf, fileFromBytes, isBlob, isFile, lastModifiedOf, typeOf } from "./blob.js";

let isFormData, entriesOf;

export class FormData {
  // https://xhr.spec.whatwg.org/#concept-formdata-entry-list: [[name, string | File], ...]
  #entries = [];

  static {
    isFormData = (value) => isObject(value) && #entries in value;
    entriesOf = (formData) => formData.#entries;
  }

  constructor(form = undefined) {
    if (form !== undefined) {
      throw makeException(TypeError, "is not of type 'HTMLFormElement'.", constructPrefix("FormData"), "parameter 1");
    }
  }

  // https://xhr.spec.whatwg.org/#dom-formdata-append
  append(name, value, filename = undefined) {
    const entries = entryList(this);
    entries.push(convertEntry("append", arguments.length, name, value, filename));
  }

  // https://xhr.spec.whatwg.org/#dom-formdata-delete
  delete(name) {
    const entries = entryList(this);
    name = convertName("delete", arguments.length, name);
    removeAll(entries, name);
  }

  // https://xhr.spec.whatwg.org/#dom-formdata-get
  get(name) {
    const entries = entryList(this);
    name = convertName("get", arguments.length, name);
    const entry = entries.find((e) => e[0] === name);
    return entry === undefined ? null : entry[1];
  }

  // https://xhr.spec.whatwg.org/#dom-formdata-getall
  getAll(name) {
    const entries = entryList(this);
    name = convertName("getAll", arguments.length, name);
    return entries.filter((e) => e[0] === name).map((e) => e[1]);
  }

  // https://xhr.spec.whatwg.org/#dom-formdata-has
  has(name) {
    const entries = entryList(this);
    name = convertName("has", arguments.length, name);
    return entries.some((e) => e[0] === name);
  }

  // https://xhr.spec.whatwg.org/#dom-formdata-set: replaces the first entry of that name and
  // removes the others, or appends.
  set(name, value, filename = undefined) {
    const entries = entryList(this);
    const entry = convertEntry("set", arguments.length, name, value, filename);
    const first = entries.findIndex((e) => e[0] === entry[0]);
    if (first === -1) {
      entries.push(entry);
    } else {
      entries[first] = entry;
      removeAll(entries, entry[0], first + 1);
    }
  }

  // https://webidl.spec.whatwg.org/#idl-iterable: pair iterator members, live over the list.
  entries() { return new FormDataIterator(checked(this), "entries"); }
  keys() { return new FormDataIterator(checked(this), "keys"); }
  values() { return new FormDataIterator(checked(this), "values"); }

  forEach(callback, thisArg = undefined) {
    const entries = entryList(this);
    const prefix = methodPrefix("FormData", "forEach");
    requiredArguments(arguments.length, 1, prefix);
    converters.Function(callback, prefix, "parameter 1");
    for (let i = 0; i < entries.length; i++) {
      const [name, value] = entries[i];
      callback.call(thisArg, value, name, this);
    }
  }
}

function checked(formData) {
  if (!isFormData(formData)) illegalInvocation();
  return formData;
}

function entryList(formData) {
  return entriesOf(checked(formData));
}

function convertName(method, count, name) {
  const prefix = methodPrefix("FormData", method);
  requiredArguments(count, 1, prefix);
  return converters.USVString(name, prefix, "parameter 1");
}

// The two overloads of append() and set(): (USVString name, USVString value) and
// (USVString name, Blob blobValue, optional USVString filename). With three arguments only the
// Blob one applies.
function convertEntry(method, count, name, value, filename) {
  const prefix = methodPrefix("FormData", method);
  requiredArguments(count, 2, prefix);
  name = converters.USVString(name, prefix, "parameter 1");
  if (count >= 3 || isBlob(value)) {
    if (!isBlob(value)) throw makeException(TypeError, "is not of type 'Blob'.", prefix, "parameter 2");
    if (filename !== undefined) filename = converters.USVString(filename, prefix, "parameter 3");
    return createEntry(name, value, filename);
  }
  return [name, converters.USVString(value, prefix, "parameter 2")];
}

// https://xhr.spec.whatwg.org/#create-an-entry: a Blob becomes a File named "blob", a File
// given a filename becomes a new File of that name.
function createEntry(name, value, filename) {
  if (typeof value === "string") return [name, value];
  if (isFile(value) && filename === undefined) return [name, value];
  const lastModified = isFile(value) ? lastModifiedOf(value) : undefined;
  const file = fileFromBytes(bytesOf(value), filename ?? "blob", typeOf(value), lastModified);
  return [name, file];
}

function removeAll(entries, name, from = 0) {
  let kept = from;
  for (let i = from; i < entries.length; i++) {
    if (entries[i][0] !== name) entries[kept++] = entries[i];
  }
  entries.length = kept;
}

// https://webidl.spec.whatwg.org/#es-default-iterator-object: walks the live list by index, so
// entries added while iterating are reached and removed ones are skipped.
let isFormDataIterator;

class FormDataIterator {
  #formData;
  #kind;
  #index = 0;

  static {
    isFormDataIterator = (value) => isObject(value) && #formData in value;
  }

  constructor(formData, kind) {
    this.#formData = formData;
    this.#kind = kind;
  }

  next() {
    if (!isFormDataIterator(this)) illegalInvocation();
    const entries = entriesOf(this.#formData);
    if (this.#index >= entries.length) return { value: undefined, done: true };
    const [name, value] = entries[this.#index++];
    if (this.#kind === "keys") return { value: name, done: false };
    if (this.#kind === "values") return { value, done: false };
    return { value: [name, value], done: false };
  }
}

// %FormDataIteratorPrototype% inherits %IteratorPrototype% and hides the helper class.
const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
Object.setPrototypeOf(FormDataIterator.prototype, iteratorPrototype);
delete FormDataIterator.prototype.constructor;
Object.defineProperty(FormDataIterator.prototype, "next", { enumerable: true });
Object.defineProperty(FormDataIterator.prototype, Symbol.toStringTag, {
  value: "FormData Iterator", configurable: true,
});

configureInterface(FormData, "FormData");
Object.defineProperty(FormData.prototype, Symbol.iterator, {
  value: FormData.prototype.entries, writable: true, enumerable: false, configurable: true,
});

// --- for fetch bodies --------------------------------------------------------------------------

export { isFormData };

// [[name, string | File], ...], the live list.
export function formDataEntries(formData) {
  return entriesOf(formData);
}

// A FormData holding `entries` (values already strings or Files).
export function formDataFromEntries(entries) {
  const formData = new FormData();
  const list = entriesOf(formData);
  for (const entry of entries) list.push(entry);
  return formData;
}
