// fetch() of data: URLs, answered as workerd answers them (src/api/js/fetch/data-url.js);
// tests/wpt/check_by_design.py compares the same answers with workerd's.
import { assert, assertEquals, assertRejects } from "wisp:test";

export async function percentEncodedText() {
  const response = await fetch("data:,response%27s%20body");
  assertEquals([response.status, response.statusText, response.type, response.url], [200, "OK", "default", ""]);
  assertEquals(response.headers.get("content-type"), "text/plain;charset=US-ASCII");
  assertEquals(await response.text(), "response's body");
}

export async function base64AndMimeType() {
  const png = await fetch("data:image/png;base64,cmVzcG9uc2UncyBib2R5");
  assertEquals(png.headers.get("content-type"), "image/png");
  assertEquals(await png.text(), "response's body");
  const html = await fetch("data:Text/HTML;Charset=utf-8,%3Cb%3E#fragment");
  assertEquals(html.headers.get("content-type"), "text/html;charset=utf-8");
  assertEquals(await html.text(), "<b>");
  const bytes = new Uint8Array(await (await fetch("data:application/octet-stream;base64,AP8=")).arrayBuffer());
  assertEquals([...bytes], [0, 255]);
}

export async function otherMethodsAndBadBase64GetAnEmptyBody() {
  assertEquals(await (await fetch("data:,abc", { method: "POST", body: "x" })).text(), "");
  assertEquals(await (await fetch("data:,abc", { method: "HEAD" })).text(), "");
  const bad = await fetch("data:;base64,%%%");
  assertEquals(bad.headers.get("content-type"), "text/plain;charset=US-ASCII");
  assertEquals(await bad.text(), "");
}

export async function aDataUrlWithoutACommaIsATypeError() {
  await assertRejects(() => fetch("data:notAdataUrl.com"), TypeError, "Fetch API cannot load");
}

export async function largeBodies() {
  const text = await (await fetch("data:," + "a".repeat(100000))).text();
  assertEquals(text.length, 100000);
  const encoded = btoa("b".repeat(90000));
  assertEquals((await (await fetch(`data:;base64,${encoded}`)).text()).length, 90000);
}

export async function headersAreMutableAsInWorkerd() {
  const response = await fetch("data:,x");
  response.headers.set("x-extra", "1");
  assert(response.headers.has("x-extra"));
}

export function blobUrlsAreNotImplemented() {
  for (const name of ["createObjectURL", "revokeObjectURL"]) {
    assertEquals(typeof URL[name], "function");
    try {
      URL[name](new Blob(["x"]));
      throw new Error("did not throw");
    } catch (error) {
      assertEquals(error.message, `URL.${name}() is not implemented`);
    }
  }
}
