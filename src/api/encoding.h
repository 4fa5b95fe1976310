// https://encoding.spec.whatwg.org/ : TextEncoder and TextDecoder.
//
// Every encoding is decoded by the spec's own decoder algorithm (encoding-decoders.cc); valid
// UTF-8 skips it and goes to V8 as it is. The legacy encodings' index tables are read once per
// process from ICU's converters and corrected where ICU's data differs from the spec's indexes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "js/class.h"

namespace wisp::api {

namespace encoding {

// https://encoding.spec.whatwg.org/#names-and-labels, in the spec's order.
enum class Encoding : uint8_t {
  Utf8,
  Ibm866, Iso8859_2, Iso8859_3, Iso8859_4, Iso8859_5, Iso8859_6, Iso8859_7, Iso8859_8,
  Iso8859_8I, Iso8859_10, Iso8859_13, Iso8859_14, Iso8859_15, Iso8859_16, Koi8R, Koi8U,
  Macintosh, Windows874, Windows1250, Windows1251, Windows1252, Windows1253, Windows1254,
  Windows1255, Windows1256, Windows1257, Windows1258, XMacCyrillic,
  Gbk, Gb18030, Big5, EucJp, Iso2022Jp, ShiftJis, EucKr,
  Replacement, Utf16Be, Utf16Le, XUserDefined,
};

// https://encoding.spec.whatwg.org/#concept-encoding-get
std::optional<Encoding> forLabel(std::string_view label);
// The encoding's name, lower-cased (what TextDecoder.encoding returns).
std::string_view nameOf(Encoding e);

// One decoder instance: the spec's decoder state plus its handler, run over chunks of bytes.
class Decoder {
 public:
  virtual ~Decoder() = default;
  // Decodes `bytes`, appending UTF-16 to `out`; with `flush`, the stream ends after them. Errors
  // become U+FFFD, or, for a fatal decoder, stop decoding and return false.
  virtual bool decode(std::span<const uint8_t> bytes, bool flush, std::u16string& out) = 0;
  // True when no bytes of an unfinished sequence are held.
  virtual bool idle() const = 0;
  virtual void reset() = 0;
};

// Throws js::Error when ICU lacks the tables an encoding needs.
std::unique_ptr<Decoder> makeDecoder(Encoding e, bool fatal);

// UTF-8 validation without decoding, for shortcuts that hand valid text to V8 as it is.
struct Utf8Scan {
  size_t valid;  // bytes in complete, valid sequences from the start
  bool ascii;    // those bytes are all ASCII
  bool error;    // an invalid sequence follows them (else what follows is an unfinished one)
};
Utf8Scan scanUtf8(std::span<const uint8_t> bytes);

}  // namespace encoding

// https://encoding.spec.whatwg.org/#interface-textencoder
class TextEncoder : public js::Object {
 public:
  struct EncodeIntoResult {
    uint64_t read = 0;
    uint64_t written = 0;
    static void fields(js::Fields<EncodeIntoResult>& f) {
      f("read", &EncodeIntoResult::read);
      f("written", &EncodeIntoResult::written);
    }
  };

  static js::Ref<TextEncoder> constructor();
  std::string_view encoding() const { return "utf-8"; }
  js::Value encode(js::Lock& js, std::optional<js::StringRef> input);
  EncodeIntoResult encodeInto(js::StringRef source, js::Uint8ArrayRef destination);

  static void define(js::ClassBuilder<TextEncoder>& c) {
    c.constructor<&TextEncoder::constructor>();
    c.getter<&TextEncoder::encoding>("encoding");
    c.method<&TextEncoder::encode>("encode");
    c.method<&TextEncoder::encodeInto>("encodeInto");
  }
};

// https://encoding.spec.whatwg.org/#interface-textdecoder
class TextDecoder : public js::Object {
 public:
  struct Options {
    bool fatal = false;
    bool ignoreBOM = false;
    static void fields(js::Fields<Options>& f) {
      f("fatal", &Options::fatal);
      f("ignoreBOM", &Options::ignoreBOM);
    }
  };
  struct DecodeOptions {
    bool stream = false;
    static void fields(js::Fields<DecodeOptions>& f) { f("stream", &DecodeOptions::stream); }
  };

  static js::Ref<TextDecoder> constructor(std::optional<std::string> label, std::optional<Options> options);
  std::string_view encoding() const { return encoding::nameOf(encoding_); }
  bool fatal() const { return fatal_; }
  bool ignoreBOM() const { return ignoreBOM_; }
  // `input` stays a plain value until the options are read: reading them runs user code, which
  // could detach the buffer under a span taken earlier.
  js::Value decode(js::Lock& js, std::optional<js::Value> input, std::optional<DecodeOptions> options);

  static void define(js::ClassBuilder<TextDecoder>& c) {
    c.constructor<&TextDecoder::constructor>();
    c.getter<&TextDecoder::encoding>("encoding");
    c.getter<&TextDecoder::fatal>("fatal");
    c.getter<&TextDecoder::ignoreBOM>("ignoreBOM");
    c.method<&TextDecoder::decode>("decode");
  }

  TextDecoder(encoding::Encoding enc, bool fatal, bool ignoreBOM);

 private:
  // The UTF-8 shortcut: input that is valid (up to an unfinished sequence kept for the next
  // call) becomes a string without an intermediate UTF-16 copy. Empty when it does not apply.
  std::optional<js::Value> decodeValidUtf8(js::Lock& js, std::span<const uint8_t> bytes);

  encoding::Encoding encoding_;
  bool fatal_;
  bool ignoreBOM_;
  bool bomSeen_ = false;
  bool doNotFlush_ = false;
  std::unique_ptr<encoding::Decoder> decoder_;
};

}  // namespace wisp::api
