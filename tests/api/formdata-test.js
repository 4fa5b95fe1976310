// FormData (https://xhr.spec.whatwg.org/#interface-formdata) and form bodies: multipart/form-data
// written and read back, application/x-www-form-urlencoded read.
import { assert, assertEquals, assertRejects, assertThrows } from "wisp:test";

export function entriesKeepTheirOrder() {
  const form = new FormData();
  form.append("a", "1");
  form.append("b", "2");
  form.append("a", "3");
  assertEquals(form.get("a"), "1");
  assertEquals(form.getAll("a"), ["1", "3"]);
  assertEquals(form.get("missing"), null);
  assertEquals(form.has("b"), true);
  form.set("a", "4");
  assertEquals([...form], [["a", "4"], ["b", "2"]]);
  form.delete("b");
  assertEquals([...form.keys()], ["a"]);
  assertEquals([...form.values()], ["4"]);
  assertEquals(Object.prototype.toString.call(form.entries()), "[object FormData Iterator]");
}

export function valuesAreUsvStrings() {
  const form = new FormData();
  form.append("\uD800", { toString: () => "x" });
  assertEquals([...form], [["\uFFFD", "x"]]);
}

export async function blobsBecomeFiles() {
  const form = new FormData();
  const blob = new Blob(["data"], { type: "text/csv" });
  form.append("plain", blob);
  form.append("named", blob, "report.csv");
  const plain = form.get("plain");
  assert(plain instanceof File);
  assertEquals(plain.name, "blob");
  assertEquals(plain.type, "text/csv");
  assertEquals(await plain.text(), "data");
  assertEquals(form.get("named").name, "report.csv");
  const file = new File(["f"], "f.txt", { lastModified: 7 });
  form.append("file", file);
  assert(form.get("file") === file);
  form.append("renamed", file, "g.txt");
  assertEquals(form.get("renamed").lastModified, 7);
  assertEquals(form.get("renamed").name, "g.txt");
}

export function overloadsAreChecked() {
  const form = new FormData();
  assertThrows(() => form.append("a"), TypeError);
  assertThrows(() => form.append("a", "b", "c"), TypeError, "is not of type 'Blob'");
  assertThrows(() => new FormData(null), TypeError);
  assertThrows(() => FormData.prototype.get.call({}, "a"), TypeError, "Illegal invocation");
}

export function iterationIsLive() {
  const form = new FormData();
  form.append("a", "1");
  form.append("b", "2");
  const seen = [];
  for (const [name] of form) {
    seen.push(name);
    if (name === "a") form.append("c", "3");
  }
  assertEquals(seen, ["a", "b", "c"]);
}

// The multipart body as text, with the random boundary replaced by "B".
async function multipartText(form) {
  const response = new Response(form);
  const type = response.headers.get("content-type");
  const match = /^multipart\/form-data; boundary=(.+)$/.exec(type);
  assert(match, `content-type: ${type}`);
  return (await response.text()).split(match[1]).join("B");
}

export async function multipartSerialisationEscapesNamesAndNormalisesNewlines() {
  const form = new FormData();
  form.append('a"b\nc', "line1\nline2\rline3\r\nend");
  form.append("file", new Blob(["x\ny"]), 'q"\r\n.txt');
  form.append("typed", new File(["{}"], "a.json", { type: "application/json" }));
  assertEquals(await multipartText(form), [
    "--B",
    'Content-Disposition: form-data; name="a%22b%0D%0Ac"',
    "",
    "line1\r\nline2\r\nline3\r\nend",
    "--B",
    'Content-Disposition: form-data; name="file"; filename="q%22%0D%0A.txt"',
    "Content-Type: application/octet-stream",
    "",
    "x\ny",
    "--B",
    'Content-Disposition: form-data; name="typed"; filename="a.json"',
    "Content-Type: application/json",
    "",
    "{}",
    "--B--",
    "",
  ].join("\r\n"));
}

export async function boundariesAreRandom() {
  const a = new Response(new FormData()).headers.get("content-type");
  const b = new Response(new FormData()).headers.get("content-type");
  assert(a !== b, a);
}

export async function multipartRoundTrip() {
  const form = new FormData();
  form.append("név", "érték\r\nmásik");
  form.append("bin", new File([new Uint8Array([0, 13, 10, 45, 45, 255])], "b.bin", { type: "application/x-thing" }));
  form.append("empty", "");
  const back = await new Request("https://example.com/", { method: "POST", body: form }).formData();
  assertEquals(back.get("név"), "érték\r\nmásik");
  const file = back.get("bin");
  assert(file instanceof File);
  assertEquals(file.name, "b.bin");
  assertEquals(file.type, "application/x-thing");
  assertEquals(await file.bytes(), new Uint8Array([0, 13, 10, 45, 45, 255]));
  assertEquals(back.get("empty"), "");
  assertEquals([...back.keys()], ["név", "bin", "empty"]);
}

function multipartResponse(body, boundary = "XyZ") {
  return new Response(body, { headers: { "content-type": `multipart/form-data; boundary="${boundary}"` } });
}

export async function multipartParsingIsLenientWhereBrowsersAre() {
  const body = [
    "preamble to skip",
    "--XyZ",
    'Content-Disposition: form-data; filename="f%22.txt"; name="up"',
    "",
    "contents",
    "--XyZ",
    "content-disposition: form-data; name=plain",
    "X-Other: ignored",
    "",
    "v",
    "--XyZ--",
    "epilogue",
  ].join("\r\n");
  const form = await multipartResponse(body).formData();
  const file = form.get("up");
  assertEquals(file.name, 'f".txt');
  assertEquals(file.type, "text/plain");
  assertEquals(await file.text(), "contents");
  assertEquals(form.get("plain"), "v");
}

export async function malformedMultipartIsATypeError() {
  const cases = [
    "no delimiter at all",
    "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nnever closed",
    "--XyZ\r\nContent-Type: text/plain\r\n\r\nno disposition\r\n--XyZ--",
    "--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--XyZ--",
    "--XyZ\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--XyZ--",
  ];
  for (const body of cases) {
    await assertRejects(() => multipartResponse(body).formData(), TypeError, "Failed to parse body as FormData");
  }
  await assertRejects(
    () => new Response("a=b", { headers: { "content-type": "multipart/form-data" } }).formData(), TypeError, "boundary");
}

export async function urlencodedBodiesParse() {
  const form = await new Response(new URLSearchParams("a=1&b=x+y&a=%C3%A9")).formData();
  assertEquals([...form], [["a", "1"], ["b", "x y"], ["a", "é"]]);
  const raw = new Response("?q=1&&z", { headers: { "content-type": "application/x-www-form-urlencoded" } });
  assertEquals([...await raw.formData()], [["?q", "1"], ["z", ""]]);
}

export async function otherContentTypesAreRejected() {
  await assertRejects(() => new Response("a=b").formData(), TypeError);
  await assertRejects(() => new Response(new Uint8Array([1])).formData(), TypeError);
}
