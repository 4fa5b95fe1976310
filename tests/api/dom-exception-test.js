// DOMException (https://webidl.spec.whatwg.org/#idl-DOMException).
import { assert, assertEquals, assertMatch, assertThrows } from "wisp:test";

export function defaults() {
  const e = new DOMException();
  assertEquals([e.name, e.message, e.code], ["Error", "", 0]);
}

export function nameMessageAndCode() {
  const e = new DOMException("went wrong", "NotFoundError");
  assertEquals([e.name, e.message, e.code], ["NotFoundError", "went wrong", 8]);
  assertEquals(new DOMException("", "DataCloneError").code, 25);
  assertEquals(new DOMException("", "EncodingError").code, 0);  // newer names have no code
  assertEquals(String(e), "NotFoundError: went wrong");
}

export function isAnError() {
  const e = new DOMException("m", "AbortError");
  assert(e instanceof Error);
  assertEquals(Object.getPrototypeOf(DOMException.prototype), Error.prototype);
  assertEquals(Object.prototype.toString.call(e), "[object DOMException]");
  assertEquals(Object.keys(e).length, 0);  // name and message are prototype getters
  assertMatch(e.stack, /^AbortError: m\n/);
}

export function legacyConstants() {
  assertEquals(DOMException.INDEX_SIZE_ERR, 1);
  assertEquals(DOMException.ABORT_ERR, 20);
  assertEquals(DOMException.DATA_CLONE_ERR, 25);
  assertEquals(new DOMException().TIMEOUT_ERR, 23);
  const desc = Object.getOwnPropertyDescriptor(DOMException, "NOT_FOUND_ERR");
  assertEquals([desc.writable, desc.enumerable, desc.configurable], [false, true, false]);
}

export function gettersAreBranded() {
  const get = Object.getOwnPropertyDescriptor(DOMException.prototype, "name").get;
  assertThrows(() => get.call(new Error("x")), TypeError, "Illegal invocation");
  assertThrows(() => DOMException("x"), TypeError);
}

export function subclassing() {
  class MyError extends DOMException {
    constructor() { super("mine", "SyntaxError"); }
  }
  const e = new MyError();
  assert(e instanceof DOMException);
  assertEquals([e.name, e.code], ["SyntaxError", 12]);
}

export function thrownByNativeCode() {
  // C++ builds its DOMExceptions with this class too.
  const e = assertThrows(() => structuredClone(Symbol("x")), "DataCloneError");
  assert(e instanceof DOMException);
}
