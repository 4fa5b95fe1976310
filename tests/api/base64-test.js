// atob() and btoa() (https://html.spec.whatwg.org/#atob).
import { assert, assertEquals, assertThrows } from "wisp:test";

export function roundTrip() {
  assertEquals(btoa(""), "");
  assertEquals(btoa("f"), "Zg==");
  assertEquals(btoa("fo"), "Zm8=");
  assertEquals(btoa("foo"), "Zm9v");
  assertEquals(btoa("\xff\xfe\x00"), "//4A");
  let all = "";
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  assertEquals(atob(btoa(all)), all);
}

export function forgivingDecode() {
  assertEquals(atob("Zm9v"), "foo");
  assertEquals(atob("Zg"), "f");            // padding is optional
  assertEquals(atob("Zg=="), "f");
  assertEquals(atob(" Z g\n=\t=\f"), "f");  // ASCII whitespace anywhere
  assertEquals(atob("Zm8"), "fo");
  assertEquals(atob(""), "");
  assertEquals(atob(null), "\x9e\xe9\x65");  // converted to the string "null" first
}

export function invalidInput() {
  for (const bad of ["Z", "Zg=", "Zg===", "Z===", "Zm9v=", "a=bc", "ab*c", "ab\u00e9c", "=Zg=", "Zm9vY==="]) {
    const error = assertThrows(() => atob(bad), "InvalidCharacterError");
    assert(error instanceof DOMException, bad);
    assertEquals(error.code, 5);
  }
  assertThrows(() => atob(undefined), "InvalidCharacterError");  // "undefined": 9 characters
}

export function btoaRejectsNonLatin1() {
  const error = assertThrows(() => btoa("\u0100"), "InvalidCharacterError", "Latin1");
  assert(error instanceof DOMException);
  assertThrows(() => btoa("😀"), "InvalidCharacterError");
}

export function argumentsAreRequired() {
  assertThrows(() => atob(), TypeError, "1 argument required, but only 0 present.");
  assertThrows(() => btoa(), TypeError, "1 argument required, but only 0 present.");
  assertEquals(btoa(12), "MTI=");  // converted to a string first
}
