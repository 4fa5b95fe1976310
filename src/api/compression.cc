// CompressionStream/DecompressionStream's byte work on zlib (see compression.h).
#include "api/compression.h"

#include <algorithm>
#include <cstring>

namespace wisp::api {

namespace {

// The arena starts with the output buffer; zlib's allocations follow it.
constexpr size_t kOutputSize = 64 * 1024;
// What zlib allocates with windowBits 15 and memLevel 8 (zlib.h, "memory footprint"): deflate
// (1 << 17) + (1 << 17) bytes plus its state, inflate a 32 KiB window plus its state; 16 KiB
// covers the states (about 6 and 7 KiB) and the alignment.
constexpr size_t kDeflateMemory = (size_t{1} << 17) + (size_t{1} << 17) + 16 * 1024;
constexpr size_t kInflateMemory = (size_t{1} << 15) + 16 * 1024;
constexpr size_t kAlign = 16;
// zlib counts input in `unsigned`: a larger chunk goes in pieces.
constexpr size_t kMaxPiece = size_t{1} << 30;

int windowBits(ZlibStream::Format format) {
  switch (format) {
    case ZlibStream::Format::Gzip: return 15 + 16;
    case ZlibStream::Format::Deflate: return 15;
    case ZlibStream::Format::DeflateRaw: return -15;
  }
  return 15;
}

std::string decompressionFailed(const char* why) {
  return std::string("Decompression failed: ") + why + ".";
}

}  // namespace

js::Ref<ZlibStream> ZlibStream::open(std::string format, bool decompress) {
  Format f;
  if (format == "gzip") f = Format::Gzip;
  else if (format == "deflate") f = Format::Deflate;
  else if (format == "deflate-raw") f = Format::DeflateRaw;
  else throw js::TypeError("Unsupported compression format: '" + format + "'.");
  return js::make<ZlibStream>(f, decompress);
}

uint32_t ZlibStream::arenaSize() const {
  return static_cast<uint32_t>(kOutputSize + (decompress_ ? kInflateMemory : kDeflateMemory));
}

void* ZlibStream::allocate(void* opaque, unsigned items, unsigned size) {
  auto* self = static_cast<ZlibStream*>(opaque);
  size_t bytes = static_cast<size_t>(items) * size;
  size_t start = (self->arenaUsed_ + kAlign - 1) & ~(kAlign - 1);
  if (start + bytes > self->arenaSize()) return Z_NULL;  // zlib reports Z_MEM_ERROR
  self->arenaUsed_ = start + bytes;
  return self->arena_ + start;
}

void ZlibStream::attach(js::Uint8ArrayRef arena) {
  if (arena.bytes.size() != arenaSize()) throw js::Error("internal: the zlib arena has the wrong size");
  if (started_) {
    // zlib keeps pointers into the arena between calls: it must be the same buffer.
    if (arena.bytes.data() != arena_) throw js::Error("internal: a different zlib arena");
    return;
  }
  arena_ = arena.bytes.data();
  arenaUsed_ = kOutputSize;
  z_.zalloc = &ZlibStream::allocate;
  z_.zfree = &ZlibStream::release;
  z_.opaque = this;
  int ret = decompress_
                ? inflateInit2(&z_, windowBits(format_))
                : deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits(format_), 8, Z_DEFAULT_STRATEGY);
  if (ret != Z_OK) throw js::RangeError("zlib could not start: out of memory");
  started_ = true;
}

void ZlibStream::run(js::Lock& js, std::span<const uint8_t> input, int flush, std::vector<js::Value>& out) {
  // zlib never writes through next_in.
  z_.next_in = const_cast<Bytef*>(input.data());
  z_.avail_in = static_cast<uInt>(input.size());
  for (;;) {
    z_.next_out = arena_;
    z_.avail_out = static_cast<uInt>(kOutputSize);
    int ret = decompress_ ? inflate(&z_, flush) : deflate(&z_, flush);
    size_t produced = kOutputSize - z_.avail_out;
    if (produced > 0) {
      // Counted against the isolate's memory limit: past it this throws and the isolate stops.
      auto chunk = js::newUint8Array(js, produced);
      std::memcpy(chunk.bytes.data(), arena_, produced);
      out.push_back(chunk.array);
    }
    switch (ret) {
      case Z_OK:
        break;
      case Z_STREAM_END:
        ended_ = true;
        if (decompress_ && z_.avail_in > 0) {
          throw js::TypeError(decompressionFailed("there is data after the end of the compressed stream"));
        }
        return;
      case Z_BUF_ERROR:  // no progress possible: the input is used up and the output flushed
        return;
      case Z_MEM_ERROR:
        throw js::RangeError("zlib ran out of memory");
      case Z_NEED_DICT:
        throw js::TypeError(decompressionFailed("the stream needs a preset dictionary"));
      case Z_DATA_ERROR:
        throw js::TypeError(decompressionFailed(z_.msg ? z_.msg : "invalid compressed data"));
      default:
        throw js::Error(std::string("zlib failed: ") + (z_.msg ? z_.msg : "unknown error"));
    }
    if (flush == Z_NO_FLUSH && z_.avail_in == 0 && z_.avail_out != 0) return;
  }
}

std::vector<js::Value> ZlibStream::push(js::Lock& js, js::Uint8ArrayRef arena, js::BufferSource chunk) {
  attach(arena);
  std::vector<js::Value> out;
  if (chunk.bytes.empty()) return out;
  for (size_t offset = 0; offset < chunk.bytes.size(); offset += kMaxPiece) {
    if (ended_) {
      if (decompress_) throw js::TypeError(decompressionFailed("there is data after the end of the compressed stream"));
      throw js::TypeError("The compression stream has already ended.");
    }
    run(js, chunk.bytes.subspan(offset, std::min(kMaxPiece, chunk.bytes.size() - offset)), Z_NO_FLUSH, out);
  }
  return out;
}

std::vector<js::Value> ZlibStream::finish(js::Lock& js, js::Uint8ArrayRef arena) {
  attach(arena);
  std::vector<js::Value> out;
  if (decompress_) {
    if (!ended_) throw js::TypeError(decompressionFailed("the compressed data is truncated"));
    return out;
  }
  if (!ended_) run(js, {}, Z_FINISH, out);
  return out;
}

}  // namespace wisp::api
