import { assert, assertEquals, assertThrows } from "wisp:test";
export function basic() {
  const d = new TextDecoder();
  assertEquals(d.encoding, "utf-8");
  assertEquals(d.decode(new Uint8Array([0x41, 0xE2, 0x82, 0xAC])), "A€");
  assertEquals(new TextEncoder().encode("A€").join(), "65,226,130,172");
  assertEquals(new TextDecoder("big5").decode(new Uint8Array([0xa4, 0x40])), "一");
}
