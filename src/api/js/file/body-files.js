// What fetch bodies (../fetch/body.js) use of this area: Blob and FormData as BodyInit, and the
// Body mixin's blob() and formData().
import { URLSearchParams } from "../url/url.js";
import { NativeTextDecoder } from "../fetch/body.js";
import { blobFromBytes, bytesOf, isBlob, typeOf } from "./blob.js";
import { formDataEntries, formDataFromEntries, isFormData } from "./form-data.js";
import { essenceOf, extractMimeType, serializeMimeType } from "./mime-type.js";
import { MultipartError, newBoundary, parseMultipart, serializeMultipart } from "./multipart.js";

// https://fetch.spec.whatwg.org/#concept-bodyinit-extract for a Blob or a FormData:
// { bytes: Uint8Array (shared with nobody), type: string | null }, or null for other values.
export function extract(object) {
  if (isBlob(object)) {
    const type = typeOf(object);
    return { bytes: bytesOf(object).slice(), type: type === "" ? null : type };
  }
  if (isFormData(object)) {
    const boundary = newBoundary();
    return {
      bytes: serializeMultipart(formDataEntries(object), boundary),
      type: `multipart/form-data; boundary=${boundary}`,
    };
  }
  return null;
}

// https://fetch.spec.whatwg.org/#dom-body-blob: `contentTypes` are the values of the body's
// Content-Type headers.
export function packageBlob(bytes, contentTypes) {
  const mimeType = extractMimeType(contentTypes);
  return blobFromBytes(bytes, mimeType === null ? "" : serializeMimeType(mimeType));
}

// https://fetch.spec.whatwg.org/#dom-body-formdata
export function packageFormData(bytes, contentTypes) {
  const mimeType = extractMimeType(contentTypes);
  const essence = mimeType === null ? null : essenceOf(mimeType);
  if (essence === "multipart/form-data") {
    const boundary = mimeType.parameters.get("boundary");
    if (boundary === undefined) {
      throw new TypeError("Failed to parse body as FormData: the multipart/form-data Content-Type has no boundary.");
    }
    try {
      return formDataFromEntries(parseMultipart(bytes, boundary));
    } catch (e) {
      if (e instanceof MultipartError) throw new TypeError(`Failed to parse body as FormData: ${e.message}.`);
      throw e;
    }
  }
  if (essence === "application/x-www-form-urlencoded") {
    // https://url.spec.whatwg.org/#concept-urlencoded-parser, on the text (UTF-8 without BOM
    // removal; invalid bytes read as U+FFFD either way).
    const text = new NativeTextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
    // A leading "&" keeps the constructor from dropping a leading "?", which the parser keeps.
    return formDataFromEntries([...new URLSearchParams(`&${text}`)]);
  }
  throw new TypeError("Failed to parse body as FormData: the Content-Type is neither multipart/form-data nor application/x-www-form-urlencoded.");
}
