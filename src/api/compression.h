// https://compression.spec.whatwg.org/ : the zlib streams behind CompressionStream and
// DecompressionStream. The streams themselves are JS (src/api/js/compression/), which feeds
// each chunk through one ZlibStream.
//
// Memory: everything a stream holds is counted against the isolate's limit. Output comes back
// as Uint8Arrays of at most 64 KiB each (so a decompression bomb stops at the limit, with the
// isolate's memory error, instead of growing a C++ buffer), and zlib's own state lives in an
// "arena": a Uint8Array that JS allocates once (`arenaSize` bytes) and passes to every call.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "js/class.h"

namespace wisp::api {

class ZlibStream : public js::Object {
 public:
  enum class Format { Gzip, Deflate, DeflateRaw };

  ZlibStream(Format format, bool decompress) : format_(format), decompress_(decompress) {}
  // No inflateEnd/deflateEnd: zlib's memory is the arena, which JS owns and may already have
  // released when this object is collected.
  ~ZlibStream() override = default;

  // ops.zlibOpen(format, decompress): format is "gzip", "deflate" or "deflate-raw" (the JS
  // half has already checked it).
  static js::Ref<ZlibStream> open(std::string format, bool decompress);

  uint32_t arenaSize() const;
  // Feeds `chunk` through; returns the output it produced. Decompressing: TypeError for corrupt
  // input or data after the end of the compressed stream.
  std::vector<js::Value> push(js::Lock& js, js::Uint8ArrayRef arena, js::BufferSource chunk);
  // Ends the input; returns the rest of the output. Decompressing: TypeError if the compressed
  // stream did not end.
  std::vector<js::Value> finish(js::Lock& js, js::Uint8ArrayRef arena);

  static void define(js::ClassBuilder<ZlibStream>& c) {
    c.getter<&ZlibStream::arenaSize>("arenaSize");
    c.method<&ZlibStream::push>("push");
    c.method<&ZlibStream::finish>("finish");
  }

 private:
  // Runs zlib over `input` with `flush`, appending the output to `out`.
  void run(js::Lock& js, std::span<const uint8_t> input, int flush, std::vector<js::Value>& out);
  // Checks the arena and, on the first call, starts zlib in it.
  void attach(js::Uint8ArrayRef arena);
  static void* allocate(void* self, unsigned items, unsigned size);
  static void release(void*, void*) {}  // the arena is freed as a whole

  Format format_;
  bool decompress_;
  bool started_ = false;
  bool ended_ = false;  // the compressed stream ended (decompressing) or was finished
  z_stream z_{};
  uint8_t* arena_ = nullptr;  // valid only during push()/finish(), which receive the arena
  size_t arenaUsed_ = 0;
};

}  // namespace wisp::api
