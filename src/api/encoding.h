// https://encoding.spec.whatwg.org/ : TextEncoder and TextDecoder.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "js/class.h"

namespace wisp::api {

// https://encoding.spec.whatwg.org/#interface-textencoder
class TextEncoder : public js::Object {
 public:
  struct EncodeIntoResult {
    uint64_t read = 0;
    uint64_t written = 0;
  };

  static js::Ref<TextEncoder> constructor();
  std::string encoding() const { return "utf-8"; }
  std::vector<uint8_t> encode(js::Lock& js, std::optional<std::string> input);
  js::Value encodeInto(js::Lock& js, v8::Local<v8::Value> source, v8::Local<v8::Value> destination);

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
  std::string encoding() const { return encoding_; }
  bool fatal() const { return fatal_; }
  bool ignoreBOM() const { return ignoreBOM_; }
  js::Value decode(js::Lock& js, std::optional<js::Value> input, std::optional<DecodeOptions> options);

  static void define(js::ClassBuilder<TextDecoder>& c) {
    c.constructor<&TextDecoder::constructor>();
    c.getter<&TextDecoder::encoding>("encoding");
    c.getter<&TextDecoder::fatal>("fatal");
    c.getter<&TextDecoder::ignoreBOM>("ignoreBOM");
    c.method<&TextDecoder::decode>("decode");
  }

  TextDecoder(std::string encoding, bool fatal, bool ignoreBOM)
      : encoding_(std::move(encoding)), fatal_(fatal), ignoreBOM_(ignoreBOM) {}

 private:
  std::string encoding_;
  bool fatal_;
  bool ignoreBOM_;
  bool bomSeen_ = false;
  std::string pending_;  // bytes of an incomplete sequence carried between streaming calls
};

}  // namespace wisp::api
