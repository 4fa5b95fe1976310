// Byte helpers shared by bodies, Blob and multipart forms.

// The chunks' bytes, one after another, in a new Uint8Array (chunks: Uint8Arrays).
export function concatBytes(chunks) {
  let size = 0;
  for (const chunk of chunks) size += chunk.byteLength;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
