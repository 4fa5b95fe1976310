// TextEncoder and TextDecoder (https://encoding.spec.whatwg.org/#api); the decoders themselves
// are in encoding-decoders.cc.
#include "api/encoding.h"

#include <algorithm>

namespace wisp::api {

// ---- UTF-8 encoding ----

namespace {

using encoding::Encoding;

// Walks a JS string's code points in pieces, lone surrogates read as U+FFFD (Web IDL's
// USVString conversion). `f(codePoint, units)` returns false to stop.
template <class F>
void forEachCodePoint(const js::StringRef& s, size_t maxUnits, F&& f) {
  constexpr size_t kPiece = 4096;
  char16_t buffer[kPiece];
  size_t length = std::min(s.length(), maxUnits), pos = 0;
  while (pos < length) {
    size_t n = std::min(kPiece, length - pos);
    s.read(pos, {buffer, n});
    // A lead surrogate at the end of a piece is paired (or not) in the next one.
    size_t end = (pos + n < length && buffer[n - 1] >= 0xD800 && buffer[n - 1] <= 0xDBFF) ? n - 1 : n;
    size_t i = 0;
    while (i < end) {
      char16_t c = buffer[i];
      char32_t cp = c;
      size_t units = 1;
      if (c >= 0xD800 && c <= 0xDFFF) {
        if (c <= 0xDBFF && i + 1 < n && buffer[i + 1] >= 0xDC00 && buffer[i + 1] <= 0xDFFF) {
          cp = 0x10000 + ((static_cast<char32_t>(c) - 0xD800) << 10) + (buffer[i + 1] - 0xDC00);
          units = 2;
        } else {
          cp = 0xFFFD;
        }
      }
      if (!f(cp, units)) return;
      i += units;
    }
    pos += i;
  }
}

size_t utf8Length(char32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

uint8_t* writeUtf8(uint8_t* out, char32_t cp) {
  if (cp < 0x80) {
    *out++ = static_cast<uint8_t>(cp);
  } else if (cp < 0x800) {
    *out++ = static_cast<uint8_t>(0xC0 | (cp >> 6));
    *out++ = static_cast<uint8_t>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out++ = static_cast<uint8_t>(0xE0 | (cp >> 12));
    *out++ = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
    *out++ = static_cast<uint8_t>(0x80 | (cp & 0x3F));
  } else {
    *out++ = static_cast<uint8_t>(0xF0 | (cp >> 18));
    *out++ = static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3F));
    *out++ = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
    *out++ = static_cast<uint8_t>(0x80 | (cp & 0x3F));
  }
  return out;
}

}  // namespace

// ---- TextEncoder ----

js::Ref<TextEncoder> TextEncoder::constructor() { return js::make<TextEncoder>(); }

// https://encoding.spec.whatwg.org/#dom-textencoder-encode
js::Value TextEncoder::encode(js::Lock& js, std::optional<js::StringRef> input) {
  if (!input) return js::newUint8Array(js, 0).array;
  // Two passes over the string (size, then bytes) instead of a copy of it.
  size_t size = 0;
  forEachCodePoint(*input, SIZE_MAX, [&](char32_t cp, size_t) {
    size += utf8Length(cp);
    return true;
  });
  auto out = js::newUint8Array(js, size);
  uint8_t* p = out.bytes.data();
  forEachCodePoint(*input, SIZE_MAX, [&](char32_t cp, size_t) {
    p = writeUtf8(p, cp);
    return true;
  });
  return out.array;
}

// https://encoding.spec.whatwg.org/#dom-textencoder-encodeinto
TextEncoder::EncodeIntoResult TextEncoder::encodeInto(js::StringRef source, js::Uint8ArrayRef destination) {
  EncodeIntoResult result;
  uint8_t* out = destination.bytes.data();
  size_t capacity = destination.bytes.size();
  // Every code unit takes at least one byte, so at most `capacity` of them can be read (plus one
  // to see whether the last is half of a pair).
  forEachCodePoint(source, capacity + 1, [&](char32_t cp, size_t units) {
    size_t n = utf8Length(cp);
    if (result.written + n > capacity) return false;
    writeUtf8(out + result.written, cp);
    result.written += n;
    result.read += units;
    return true;
  });
  return result;
}

// ---- TextDecoder ----

TextDecoder::TextDecoder(Encoding enc, bool fatal, bool ignoreBOM)
    : encoding_(enc), fatal_(fatal), ignoreBOM_(ignoreBOM), decoder_(encoding::makeDecoder(enc, fatal)) {}

// https://encoding.spec.whatwg.org/#dom-textdecoder
js::Ref<TextDecoder> TextDecoder::constructor(std::optional<std::string> label, std::optional<Options> options) {
  Options o = options.value_or(Options{});
  std::string given = label.value_or("utf-8");
  auto enc = encoding::forLabel(given);
  if (!enc || *enc == Encoding::Replacement) {
    throw js::RangeError("Failed to construct 'TextDecoder': The encoding label provided ('" + given +
                         "') is invalid.");
  }
  return js::make<TextDecoder>(*enc, o.fatal, o.ignoreBOM);
}

std::optional<js::Value> TextDecoder::decodeValidUtf8(js::Lock& js, std::span<const uint8_t> bytes) {
  encoding::Utf8Scan scan = encoding::scanUtf8(bytes);
  if (scan.error || (scan.valid < bytes.size() && !doNotFlush_)) return std::nullopt;
  if (scan.valid < bytes.size()) {
    std::u16string none;  // the start of a sequence: no output yet
    decoder_->decode(bytes.subspan(scan.valid), false, none);
  }
  auto text = bytes.first(scan.valid);
  if (!text.empty() && !ignoreBOM_ && !bomSeen_) {
    bomSeen_ = true;
    if (text.size() >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF) text = text.subspan(3);
  }
  return scan.ascii ? js::newLatin1String(js, text) : js::newUtf8String(js, text);
}

// https://encoding.spec.whatwg.org/#dom-textdecoder-decode
js::Value TextDecoder::decode(js::Lock& js, std::optional<js::Value> input, std::optional<DecodeOptions> options) {
  std::span<const uint8_t> bytes;
  if (input && !input->isUndefined()) {
    bytes = js::Conv<js::AllowSharedBufferSource>::fromJs(
                js, input->local(), "Failed to execute 'decode' on 'TextDecoder': parameter 1")
                .bytes;
  }
  if (!doNotFlush_) {
    decoder_->reset();
    bomSeen_ = false;
  }
  doNotFlush_ = options && options->stream;

  if (encoding_ == Encoding::Utf8 && decoder_->idle()) {
    if (auto fast = decodeValidUtf8(js, bytes)) return *fast;
  }

  std::u16string out;
  out.reserve(bytes.size() + 8);
  if (!decoder_->decode(bytes, !doNotFlush_, out)) {
    decoder_->reset();
    doNotFlush_ = false;
    throw js::TypeError("The encoded data was not valid.");
  }
  std::u16string_view text = out;
  // https://encoding.spec.whatwg.org/#concept-td-serialize: a BOM is dropped only for the
  // decoder's own encoding, once per stream.
  bool sniffs = encoding_ == Encoding::Utf8 || encoding_ == Encoding::Utf16Be || encoding_ == Encoding::Utf16Le;
  if (sniffs && !ignoreBOM_ && !bomSeen_ && !text.empty()) {
    bomSeen_ = true;
    if (text.front() == 0xFEFF) text.remove_prefix(1);
  }
  return js::newString(js, text);
}

}  // namespace wisp::api
