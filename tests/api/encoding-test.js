// TextEncoder and TextDecoder (https://encoding.spec.whatwg.org/).
import { assert, assertEquals, assertThrows } from "wisp:test";

const bytes = (...b) => new Uint8Array(b);
const decode = (label, input, options) => new TextDecoder(label, options).decode(input);
const codePoints = (s) => Array.from(s, (c) => c.codePointAt(0));

// ---- labels ----

export function defaultEncodingIsUtf8() {
  assertEquals(new TextEncoder().encoding, "utf-8");
  assertEquals(new TextDecoder().encoding, "utf-8");
  assertEquals(new TextDecoder(undefined).encoding, "utf-8");
  const d = new TextDecoder();
  assertEquals(d.fatal, false);
  assertEquals(d.ignoreBOM, false);
}

export function labelsAreTrimmedAndCaseInsensitive() {
  assertEquals(new TextDecoder(" \t\n\f\rUTF8 \t").encoding, "utf-8");
  assertEquals(new TextDecoder("Latin1").encoding, "windows-1252");
  assertEquals(new TextDecoder("ASCII").encoding, "windows-1252");
  assertEquals(new TextDecoder("iso-8859-1").encoding, "windows-1252");
  assertEquals(new TextDecoder("utf-16").encoding, "utf-16le");
  assertEquals(new TextDecoder("UnicodeFFFE").encoding, "utf-16be");
  assertEquals(new TextDecoder("Shift-JIS").encoding, "shift_jis");
  assertEquals(new TextDecoder("x-x-big5").encoding, "big5");
  assertEquals(new TextDecoder("GB2312").encoding, "gbk");
  assertEquals(new TextDecoder("windows-949").encoding, "euc-kr");
  assertEquals(new TextDecoder("iso-ir-58").encoding, "gbk");
  assertEquals(new TextDecoder("logical").encoding, "iso-8859-8-i");
  assertEquals(new TextDecoder("koi8-ru").encoding, "koi8-u");
  assertEquals(new TextDecoder("x-user-defined").encoding, "x-user-defined");
}

export function unknownLabelsThrowRangeError() {
  for (const label of ["", "foo", "utf-7", "utf-32", "\u00a0utf-8", "utf-8\u000b", "\u212aoi8-r", "null", "utf_8"]) {
    const e = assertThrows(() => new TextDecoder(label), RangeError);
    assertEquals(e.message, `Failed to construct 'TextDecoder': The encoding label provided ('${label}') is invalid.`);
  }
  assertThrows(() => new TextDecoder(null), RangeError);  // "null"
}

export function replacementLabelsAreRefused() {
  for (const label of ["replacement", "csiso2022kr", "hz-gb-2312", "iso-2022-cn", "iso-2022-cn-ext", "iso-2022-kr"]) {
    assertThrows(() => new TextDecoder(label), RangeError, "is invalid");
  }
}

export function constructorNeedsNew() {
  assertThrows(() => TextDecoder(), TypeError);
  assertThrows(() => TextEncoder(), TypeError);
}

export function brandChecks() {
  const d = new TextDecoder();
  assertThrows(() => TextDecoder.prototype.decode.call({}, bytes(0x41)), TypeError, "Illegal invocation");
  assertThrows(() => Object.getOwnPropertyDescriptor(TextDecoder.prototype, "encoding").get.call({}), TypeError);
  assertThrows(() => TextEncoder.prototype.encode.call(d, "x"), TypeError, "Illegal invocation");
  assertThrows(() => TextEncoder.prototype.encodeInto.call({}, "x", new Uint8Array(1)), TypeError);
}

// ---- TextEncoder ----

export function encodeUtf8() {
  const enc = new TextEncoder();
  assertEquals(Array.from(enc.encode()), []);
  assertEquals(Array.from(enc.encode(undefined)), []);
  assertEquals(Array.from(enc.encode("")), []);
  assertEquals(Array.from(enc.encode("A\u00e9\u20ac\u{1d11e}")),
               [0x41, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9d, 0x84, 0x9e]);
  assertEquals(Array.from(enc.encode(null)), [0x6e, 0x75, 0x6c, 0x6c]);  // ToString
  assertEquals(Array.from(enc.encode(12)), [0x31, 0x32]);
  assert(enc.encode("x") instanceof Uint8Array);
}

export function encodeReplacesLoneSurrogates() {
  const enc = new TextEncoder();
  const fffd = [0xef, 0xbf, 0xbd];
  assertEquals(Array.from(enc.encode("\ud800")), fffd);
  assertEquals(Array.from(enc.encode("\udc00")), fffd);
  assertEquals(Array.from(enc.encode("a\udc00\ud800b")), [0x61, ...fffd, ...fffd, 0x62]);
  assertEquals(Array.from(enc.encode("\ud800\udc00")), [0xf0, 0x90, 0x80, 0x80]);
  assertEquals(Array.from(enc.encode("\udbff\udfff\ud800")), [0xf4, 0x8f, 0xbf, 0xbf, ...fffd]);
}

export function encodeLongStrings() {
  // Pieces of the string are read 4096 code units at a time: pairs across that boundary.
  const s = "x" + "\u{1f600}".repeat(5000) + "\ud800";
  const out = new TextEncoder().encode(s);
  assertEquals(out.length, 1 + 4 * 5000 + 3);
  assertEquals(new TextDecoder().decode(out), "x" + "\u{1f600}".repeat(5000) + "\ufffd");
}

export function encodeIntoCountsCodeUnits() {
  const enc = new TextEncoder();
  const into = (s, size) => {
    const buf = new Uint8Array(size).fill(0xaa);
    const r = enc.encodeInto(s, buf);
    return [r.read, r.written, Array.from(buf)];
  };
  assertEquals(into("Hi", 0), [0, 0, []]);
  assertEquals(into("A", 10)[0], 1);
  assertEquals(into("\u{1d306}", 4), [2, 4, [0xf0, 0x9d, 0x8c, 0x86]]);
  assertEquals(into("\u{1d306}A", 3), [0, 0, [0xaa, 0xaa, 0xaa]]);  // never half a character
  assertEquals(into("\ud834A\udf06A\u00a5Hi", 10),
               [5, 10, [0xef, 0xbf, 0xbd, 0x41, 0xef, 0xbf, 0xbd, 0x41, 0xc2, 0xa5]]);
  assertEquals(into("A\udf06", 4), [2, 4, [0x41, 0xef, 0xbf, 0xbd]]);
  assertEquals(into("\u00a5\u00a5", 3), [1, 2, [0xc2, 0xa5, 0xaa]]);
  assertEquals(into("\u20ac", 2), [0, 0, [0xaa, 0xaa]]);
  const r = enc.encodeInto("abc", new Uint8Array(8));
  assertEquals(Object.keys(r), ["read", "written"]);
}

export function encodeIntoRespectsViewBounds() {
  const buffer = new ArrayBuffer(8);
  const view = new Uint8Array(buffer, 2, 3);
  const r = new TextEncoder().encodeInto("abcdef", view);
  assertEquals([r.read, r.written], [3, 3]);
  assertEquals(Array.from(new Uint8Array(buffer)), [0, 0, 0x61, 0x62, 0x63, 0, 0, 0]);
}

export function encodeIntoLoopOverLargeString() {
  const s = "h\u00e9llo \u{1f30d} ".repeat(20000);
  const enc = new TextEncoder();
  const buf = new Uint8Array(1000);
  const parts = [];
  let rest = s;
  while (rest.length > 0) {
    const { read, written } = enc.encodeInto(rest, buf);
    assert(read > 0);
    parts.push(buf.slice(0, written));
    rest = rest.slice(read);
  }
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  assertEquals(new TextDecoder().decode(joined), s);
}

export function encodeIntoRejectsOtherDestinations() {
  const enc = new TextEncoder();
  for (const dest of [new ArrayBuffer(4), new Uint16Array(4), new Int8Array(4), new Uint8ClampedArray(4),
                      new DataView(new ArrayBuffer(4)), [0, 0], null, undefined]) {
    assertThrows(() => enc.encodeInto("a", dest), TypeError, "Uint8Array");
  }
}

export function encodeIntoDetachedBuffer() {
  const buffer = new ArrayBuffer(10);
  const view = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  const r = new TextEncoder().encodeInto("test", view);
  assertEquals([r.read, r.written], [0, 0]);
}

// ---- UTF-8 decoding ----

export function decodeInputTypes() {
  const b = bytes(0x7a, 0xc2, 0xa2, 0xe6, 0xb0, 0xb4);
  assertEquals(decode("utf-8", b), "z\xa2\u6c34");
  assertEquals(decode("utf-8", b.buffer), "z\xa2\u6c34");
  assertEquals(decode("utf-8", new DataView(b.buffer, 1, 2)), "\xa2");
  assertEquals(decode("utf-8", b.subarray(3)), "\u6c34");
  assertEquals(decode("utf-8", new Uint16Array([0x4241])), "AB");
  assertEquals(decode("utf-8"), "");
  assertEquals(decode("utf-8", undefined), "");
  for (const bad of [null, "abc", 1, {}, [0x41]]) {
    assertThrows(() => new TextDecoder().decode(bad), TypeError);
  }
}

export function utf8MaximalSubparts() {
  const cases = [
    [[0xf0], "\ufffd"],
    [[0xf0, 0x9f], "\ufffd"],
    [[0xf0, 0x9f, 0x92], "\ufffd"],
    [[0xf0, 0x9f, 0x41], "\ufffdA"],
    [[0xf0, 0x41, 0x42], "\ufffdAB"],
    [[0xf0, 0x41, 0xf0], "\ufffdA\ufffd"],
    [[0xf0, 0x8f, 0x92], "\ufffd\ufffd\ufffd"],
    [[0xc0, 0x80], "\ufffd\ufffd"],                   // overlong
    [[0xe0, 0x80, 0x80], "\ufffd\ufffd\ufffd"],
    [[0xed, 0xa0, 0x80], "\ufffd\ufffd\ufffd"],       // a surrogate
    [[0xf4, 0x90, 0x80, 0x80], "\ufffd\ufffd\ufffd\ufffd"],  // above U+10FFFF
    [[0xf5], "\ufffd"],
    [[0xff, 0x41], "\ufffdA"],
    [[0x80, 0xbf], "\ufffd\ufffd"],
    [[0xe2, 0x82, 0xac, 0xe2, 0x82], "\u20ac\ufffd"],
    [[0xf4, 0x8f, 0xbf, 0xbf], "\u{10ffff}"],
    [[0xef, 0xbf, 0xbe], "\ufffe"],
  ];
  for (const [input, expected] of cases) {
    assertEquals(codePoints(decode("utf-8", new Uint8Array(input))), codePoints(expected), input.join());
  }
}

export function utf8Streaming() {
  const text = "\x00123ABCabc\x80\xff\u0100\u1000\ufffd\ud800\udc00\udbff\udfff";
  const encoded = new TextEncoder().encode(text);
  for (let size = 1; size <= 5; size++) {
    const d = new TextDecoder();
    let out = "";
    for (let i = 0; i < encoded.length; i += size) out += d.decode(encoded.subarray(i, i + size), { stream: true });
    out += d.decode();
    assertEquals(out, text);
  }
  const d = new TextDecoder();
  assertEquals(d.decode(bytes(0xf0, 0x9f, 0x92), { stream: true }), "");
  assertEquals(d.decode(bytes(0xa9)), "\u{1f4a9}");
  assertEquals(d.decode(bytes(0xe0, 0x41), { stream: true }), "\ufffdA");
  assertEquals(d.decode(bytes(0xc9), { stream: true }), "");
  assertEquals(d.decode(), "\ufffd");  // a flush ends the unfinished sequence
  assertEquals(d.decode(bytes(0xf0, 0x80), { stream: true }), "\ufffd\ufffd");
  assertEquals(d.decode(bytes(0x80)), "\ufffd");
}

export function utf8StreamingMatchesWholeDecode() {
  const text = "pl\u00e4in \u20ac \u{1f600} ".repeat(3000);
  const encoded = new TextEncoder().encode(text);
  const withErrors = encoded.slice();
  for (let i = 7; i < withErrors.length; i += 997) withErrors[i] = 0xff;
  for (const input of [encoded, withErrors]) {
    const whole = new TextDecoder().decode(input);
    const d = new TextDecoder();
    let out = "";
    for (let i = 0; i < input.length; i += 333) out += d.decode(input.subarray(i, i + 333), { stream: true });
    out += d.decode();
    assertEquals(out, whole);
  }
}

export function fatalThrowsTypeError() {
  const d = new TextDecoder("utf-8", { fatal: true });
  assertEquals(d.fatal, true);
  for (const input of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf0, 0x9f], [0x41, 0x80]]) {
    const e = assertThrows(() => d.decode(new Uint8Array(input)), TypeError);
    assertEquals(e.message, "The encoded data was not valid.");
  }
  assertEquals(d.decode(bytes(0xe2, 0x82, 0xac)), "\u20ac");
  // Streaming: an unfinished sequence is fine until the flush.
  assertEquals(d.decode(bytes(0xe2, 0x82), { stream: true }), "");
  assertThrows(() => d.decode(), TypeError);
  assertEquals(d.decode(bytes(0x41)), "A");  // the decoder starts over after the error
}

export function optionsAreDictionaries() {
  assertEquals(new TextDecoder("utf-8", { fatal: 1 }).fatal, true);
  assertEquals(new TextDecoder("utf-8", null).fatal, false);
  assertEquals(new TextDecoder("utf-8", { ignoreBOM: "yes" }).ignoreBOM, true);
  assertThrows(() => new TextDecoder("utf-8", 5), TypeError);
  assertThrows(() => new TextDecoder().decode(bytes(0x41), 5), TypeError);
  const order = [];
  new TextDecoder("utf-8", { get ignoreBOM() { order.push("ignoreBOM"); }, get fatal() { order.push("fatal"); } });
  assertEquals(order, ["fatal", "ignoreBOM"]);
}

export function detachingTheInputWhileReadingOptions() {
  const input = new TextEncoder().encode("hello");
  const d = new TextDecoder();
  const out = d.decode(input, { get stream() { structuredClone(input.buffer, { transfer: [input.buffer] }); return false; } });
  assertEquals(out, "");
}

// ---- byte order marks ----

export function utf8Bom() {
  const bom = [0xef, 0xbb, 0xbf];
  assertEquals(decode("utf-8", bytes(...bom, 0x41)), "A");
  assertEquals(decode("utf-8", bytes(...bom, ...bom, 0x41)), "\ufeffA");  // only the first
  assertEquals(decode("utf-8", bytes(...bom, 0x41), { ignoreBOM: true }), "\ufeffA");
  assertEquals(decode("utf-8", bytes(0x41, ...bom)), "A\ufeff");
  // The BOM split across chunks of one stream.
  const d = new TextDecoder();
  assertEquals(d.decode(bytes(0xef), { stream: true }), "");
  assertEquals(d.decode(bytes(0xbb), { stream: true }), "");
  assertEquals(d.decode(bytes(0xbf, 0x41), { stream: true }), "A");
  assertEquals(d.decode(bytes(...bom, 0x42)), "\ufeffB");  // same stream: no longer a BOM
  assertEquals(d.decode(bytes(...bom, 0x43)), "C");         // a new stream
  // Only the first decoded character counts.
  assertEquals(d.decode(bytes(0x41), { stream: true }), "A");
  assertEquals(d.decode(bytes(...bom)), "\ufeff");
}

export function utf16Bom() {
  assertEquals(decode("utf-16le", bytes(0xff, 0xfe, 0x41, 0x00)), "A");
  assertEquals(decode("utf-16be", bytes(0xfe, 0xff, 0x00, 0x41)), "A");
  assertEquals(decode("utf-16le", bytes(0xff, 0xfe, 0x41, 0x00), { ignoreBOM: true }), "\ufeffA");
  // The other byte order's BOM is a character: no sniffing across encodings.
  assertEquals(decode("utf-16le", bytes(0xfe, 0xff, 0x41, 0x00)), "\ufffeA");
  assertEquals(decode("utf-16be", bytes(0xff, 0xfe, 0x00, 0x41)), "\ufffeA");
  assertEquals(decode("utf-8", bytes(0xff, 0xfe, 0x41, 0x00)), "\ufffd\ufffdA\x00");
  // Legacy encodings never drop U+FEFF (x-user-defined cannot even produce it).
  assertEquals(decode("windows-1252", bytes(0xef, 0xbb, 0xbf)), "\xef\xbb\xbf");
  assertEquals(decode("gb18030", bytes(0x84, 0x31, 0x95, 0x33, 0x41)), "\ufeffA");
}

// ---- UTF-16 ----

export function utf16Decoding() {
  const sample = "z\xa2\u6c34\ud834\udd1e\uf8ff\udbff\udffd\ufffe";
  const le = [0x7a, 0x00, 0xa2, 0x00, 0x34, 0x6c, 0x34, 0xd8, 0x1e, 0xdd, 0xff, 0xf8, 0xff, 0xdb, 0xfd, 0xdf, 0xfe, 0xff];
  const be = [];
  for (let i = 0; i < le.length; i += 2) be.push(le[i + 1], le[i]);
  assertEquals(decode("utf-16le", new Uint8Array(le)), sample);
  assertEquals(decode("utf-16", new Uint8Array(le)), sample);
  assertEquals(decode("utf-16be", new Uint8Array(be)), sample);
}

export function utf16LoneSurrogatesAndOddBytes() {
  assertEquals(decode("utf-16le", bytes(0x00, 0xd8)), "\ufffd");
  assertEquals(decode("utf-16le", bytes(0x00, 0xdc, 0x41, 0x00)), "\ufffdA");
  assertEquals(decode("utf-16le", bytes(0x00, 0xd8, 0x41, 0x00)), "\ufffdA");   // lead, then not a trail
  assertEquals(decode("utf-16le", bytes(0x00, 0xd8, 0x00, 0xd8, 0x00, 0xdc)), "\ufffd\ud800\udc00");
  assertEquals(decode("utf-16be", bytes(0xd8, 0x00, 0x00, 0x41)), "\ufffdA");
  assertEquals(decode("utf-16le", bytes(0x41, 0x00, 0x42)), "A\ufffd");       // odd byte at the end
  assertEquals(decode("utf-16le", bytes(0x00, 0xd8, 0x42)), "\ufffd");          // one error for both
  assertThrows(() => decode("utf-16le", bytes(0x00), { fatal: true }), TypeError);
  assertThrows(() => decode("utf-16be", bytes(0xdc, 0x00), { fatal: true }), TypeError);
}

export function utf16Streaming() {
  const d = new TextDecoder("utf-16le");
  assertEquals(d.decode(bytes(0x3d), { stream: true }), "");
  assertEquals(d.decode(bytes(0xd8, 0x00), { stream: true }), "");
  assertEquals(d.decode(bytes(0xde), { stream: true }), "\u{1f600}");
  assertEquals(d.decode(bytes(0x41)), "\ufffd");
  const fatal = new TextDecoder("utf-16le", { fatal: true });
  assertEquals(fatal.decode(bytes(0x00), { stream: true }), "");
  assertEquals(fatal.decode(bytes(0x00)), "\x00");
  assertThrows(() => { fatal.decode(bytes(0x00, 0x00), { stream: true }); fatal.decode(bytes(0x00)); }, TypeError);
  assertEquals(fatal.decode(bytes(0x00, 0x00)), "\x00");
}

// ---- legacy encodings ----

export function singleByteEncodings() {
  assertEquals(decode("windows-1252", bytes(0x41, 0x80, 0x81, 0x9f, 0xa0, 0xff)), "A\u20ac\x81\u0178\xa0\xff");
  assertEquals(decode("latin1", bytes(0x80)), "\u20ac");  // not ISO-8859-1's U+0080
  assertEquals(decode("iso-8859-2", bytes(0xa1, 0xb1)), "\u0104\u0105");
  assertEquals(decode("koi8-r", bytes(0xc1, 0xe1)), "\u0430\u0410");
  assertEquals(decode("koi8-u", bytes(0xae, 0xbe)), "\u045e\u040e");
  assertEquals(decode("ibm866", bytes(0x80, 0xff)), "\u0410\xa0");
  assertEquals(decode("macintosh", bytes(0x80, 0xf0)), "\xc4\uf8ff");
  assertEquals(decode("x-mac-cyrillic", bytes(0x80, 0xff)), "\u0410\u20ac");
  assertEquals(decode("iso-8859-16", bytes(0x80, 0xa1, 0xa4, 0xff)), "\x80\u0104\u20ac\xff");
  assertEquals(decode("windows-1255", bytes(0xca)), "\u05ba");
  assertEquals(decode("windows-874", bytes(0xa1, 0xdb)), "\u0e01\ufffd");
  assertEquals(decode("iso-8859-8-i", bytes(0xe0)), "\u05d0");
}

export function singleByteUnmappedBytes() {
  // Bytes the spec's indexes leave undefined: U+FFFD, or TypeError when fatal.
  const unmapped = {
    "iso-8859-3": [0xa5, 0xae, 0xbe, 0xc3, 0xd0, 0xe3, 0xf0],
    "iso-8859-7": [0xae, 0xd2, 0xff],
    "windows-874": [0xdb, 0xdc, 0xdd, 0xde, 0xfc, 0xfd, 0xfe, 0xff],
    "windows-1253": [0xaa, 0xd2, 0xff],
    "windows-1255": [0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xfb, 0xfc, 0xff],
    "windows-1257": [0xa1, 0xa5],
  };
  for (const [label, bad] of Object.entries(unmapped)) {
    const fatal = new TextDecoder(label, { fatal: true });
    for (let b = 0; b < 256; b++) {
      if (bad.includes(b)) {
        assertThrows(() => fatal.decode(bytes(b)), TypeError);
        assertEquals(decode(label, bytes(b)), "\ufffd");
      } else {
        assertEquals(fatal.decode(bytes(b)).length, 1, `${label} ${b}`);
      }
    }
  }
}

export function xUserDefined() {
  assertEquals(decode("x-user-defined", bytes(0x41, 0x80, 0xff)), "A\uf780\uf7ff");
}

export function gb18030AndGbk() {
  assertEquals(decode("gbk", bytes(0x80, 0x81, 0x40, 0xa8, 0xbc)), "\u20ac\u4e02\u1e3f");
  assertEquals(decode("gb18030", bytes(0xa3, 0xa0)), "\u3000");
  assertEquals(decode("gb18030", bytes(0x81, 0x30, 0x81, 0x30)), "\x80");
  assertEquals(decode("gb18030", bytes(0x81, 0x35, 0xf4, 0x37)), "\ue7c7");
  assertEquals(decode("gb18030", bytes(0x84, 0x31, 0xa4, 0x39)), "\uffff");
  assertEquals(decode("gb18030", bytes(0x90, 0x30, 0x81, 0x30)), "\u{10000}");
  assertEquals(decode("gb18030", bytes(0xe3, 0x32, 0x9a, 0x35)), "\u{10ffff}");
  assertEquals(decode("gb18030", bytes(0x84, 0x31, 0xa5, 0x30)), "\ufffd");  // no such code point
  assertEquals(decode("gb18030", bytes(0x81, 0x30, 0x81, 0x41)), "\ufffd0\u4e04");  // bad fourth byte
  assertEquals(decode("gb18030", bytes(0x81, 0x30, 0x41)), "\ufffd0A");
  assertEquals(decode("gb18030", bytes(0x81, 0x7f)), "\ufffd\x7f");
  assertEquals(decode("gb18030", bytes(0xff)), "\ufffd");
  // GB18030-2022: two-byte codes moved out of the Private Use Area.
  assertEquals(decode("gb18030", bytes(0xa6, 0xd9, 0xa6, 0xda, 0xa6, 0xdb, 0xa6, 0xf3)), "\ufe10\ufe12\ufe11\ufe19");
  assertEquals(decode("gbk", bytes(0xfe, 0x59, 0xfe, 0xa0)), "\u9fb4\u9fbb");
  assertEquals(decode("gb18030", bytes(0xfe, 0x51)), "\ue816");  // still Private Use
  const d = new TextDecoder("gb18030");
  assertEquals(d.decode(bytes(0x81, 0x30), { stream: true }), "");
  assertEquals(d.decode(bytes(0x81), { stream: true }), "");
  assertEquals(d.decode(bytes(0x30)), "\x80");
  assertEquals(d.decode(bytes(0x81, 0x30, 0x81)), "\ufffd");
}

export function big5() {
  assertEquals(decode("big5", bytes(0xa4, 0x40, 0xa3, 0xe1)), "\u4e00\u20ac");
  assertEquals(decode("big5", bytes(0x88, 0x62, 0x88, 0x64)), "\xca\u0304\xca\u030c");
  assertEquals(decode("big5", bytes(0x88, 0x40, 0xa3, 0xc0)), "\u31c0\u2400");  // HKSCS-2008
  assertEquals(decode("big5", bytes(0x87, 0x40)), "\u43f0");
  assertEquals(decode("big5", bytes(0xfe, 0xfe)), "\u79d4");
  assertEquals(decode("big5", bytes(0x81, 0x40)), "\ufffd@");  // no code point (ICU: Private Use)
  assertEquals(decode("big5", bytes(0xa4, 0x41, 0xa4)), "\u4e59\ufffd");
  assertEquals(decode("big5", bytes(0xa4, 0x30)), "\ufffd0");  // an ASCII trail is kept
  assertEquals(decode("big5", bytes(0xa4, 0x80)), "\ufffd");
  assertEquals(decode("big5", bytes(0x87, 0x45)), "\u{27267}");  // beyond the BMP
}

export function eucJp() {
  assertEquals(decode("euc-jp", bytes(0xb0, 0xa1, 0xa4, 0xa2)), "\u4e9c\u3042");
  assertEquals(decode("euc-jp", bytes(0x8e, 0xa1, 0x8e, 0xdf)), "\uff61\uff9f");
  assertEquals(decode("euc-jp", bytes(0x8f, 0xb0, 0xa1)), "\u4e02");  // JIS X 0212
  assertEquals(decode("euc-jp", bytes(0x8f, 0xf3, 0xa1)), "\ufffd");  // IBM's row is not in the index
  assertEquals(decode("euc-jp", bytes(0xa3, 0xa0)), "\ufffd");        // a non-ASCII trail is consumed
  assertEquals(decode("euc-jp", bytes(0xa3, 0x41)), "\ufffdA");
  assertEquals(decode("euc-jp", bytes(0x5c, 0x7e)), "\\~");
  assertThrows(() => decode("euc-jp", bytes(0xb0), { fatal: true }), TypeError);
}

export function iso2022Jp() {
  const cases = [
    [[0x1b, 0x24, 0x42, 0x30, 0x21, 0x1b, 0x28, 0x42, 0x41], "\u4e9cA"],
    [[0x1b, 0x28, 0x4a, 0x5c, 0x7e], "\xa5\u203e"],
    [[0x1b, 0x28, 0x49, 0x21, 0x5f], "\uff61\uff9f"],
    [[0x1b, 0x24], "\ufffd$"],
    [[0x1b, 0x28, 0x42, 0x1b, 0x28, 0x42, 0x50], "\ufffdP"],
    [[0x1b, 0x28, 0x49, 0x1b, 0x24, 0x50], "\ufffd\uff64\uff90"],
    [[0x1b, 0x24, 0x40, 0x50, 0x20], "\ufffd"],
    [[0x0e, 0x0f], "\ufffd\ufffd"],
    [[0x50, 0x1b], "P\ufffd"],
    [[0x1b, 0x24, 0x42, 0x30], "\ufffd"],
  ];
  for (const [input, expected] of cases) assertEquals(decode("iso-2022-jp", new Uint8Array(input)), expected, input.join());
  const d = new TextDecoder("iso-2022-jp");
  assertEquals(d.decode(bytes(0x1b, 0x24), { stream: true }), "");
  assertEquals(d.decode(bytes(0x42, 0x30), { stream: true }), "");
  assertEquals(d.decode(bytes(0x21)), "\u4e9c");
}

export function shiftJis() {
  assertEquals(decode("shift_jis", bytes(0x82, 0xa0, 0x88, 0x9f)), "\u3042\u4e9c");
  assertEquals(decode("shift_jis", bytes(0x5c, 0x7e, 0x80, 0xa1, 0xdf)), "\\~\x80\uff61\uff9f");
  assertEquals(decode("shift_jis", bytes(0xf0, 0x40, 0xf9, 0xfc)), "\ue000\ue757");  // user-defined area
  assertEquals(decode("shift_jis", bytes(0xfa, 0x40)), "\u2170");                   // IBM extension
  assertEquals(decode("shift_jis", bytes(0x82, 0x30)), "\ufffd0");
  assertEquals(decode("shift_jis", bytes(0xa0, 0xfd)), "\ufffd\ufffd");
}

export function eucKr() {
  assertEquals(decode("euc-kr", bytes(0xb0, 0xa1, 0x81, 0x41)), "\uac00\uac02");  // and UHC
  assertEquals(decode("euc-kr", bytes(0x81, 0x7f)), "\ufffd\x7f");
  assertEquals(decode("euc-kr", bytes(0xc9, 0xa1)), "\ufffd");  // user-defined: not in the index
  assertEquals(decode("euc-kr", bytes(0x80)), "\ufffd");
  const d = new TextDecoder("euc-kr", { fatal: true });
  assertEquals(d.decode(bytes(0xb0), { stream: true }), "");
  assertEquals(d.decode(bytes(0xa1)), "\uac00");
  assertThrows(() => d.decode(bytes(0xb0)), TypeError);
}
