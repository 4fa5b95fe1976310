// A decompression bomb: 64 MiB of zeros gzipped to about 64 KiB, then inflated in one chunk. Run
// with a 32 MiB heap limit, the Worker must stop with the memory error, not crash the process.
async function readAll(readable) {
  const chunks = [];
  const reader = readable.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

async function through(stream, chunks) {
  const writer = stream.writable.getWriter();
  const writing = (async () => {
    for (const chunk of chunks) await writer.write(chunk);
    await writer.close();
  })();
  const out = await readAll(stream.readable);
  await writing;
  return out;
}

export default {
  async fetch() {
    const zeros = new Uint8Array(1 << 20);
    const compressed = await through(new CompressionStream("gzip"), Array(64).fill(zeros));
    const bomb = new Uint8Array(await new Blob(compressed).arrayBuffer());
    const inflated = await through(new DecompressionStream("gzip"), [bomb]);
    return new Response(`inflated ${inflated.length} chunks from ${bomb.byteLength} bytes`);
  },
};
