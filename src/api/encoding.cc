#include "api/encoding.h"

#include <cstring>

namespace wisp::api {

js::Ref<TextEncoder> TextEncoder::constructor() { return js::make<TextEncoder>(); }

std::vector<uint8_t> TextEncoder::encode(js::Lock& js, std::optional<std::string> input) {
  if (!input) return {};
  return std::vector<uint8_t>(input->begin(), input->end());
}

js::Value TextEncoder::encodeInto(js::Lock& js, v8::Local<v8::Value> source, v8::Local<v8::Value> destination) {
  auto str = js.check(source->ToString(js.context()));
  if (!destination->IsUint8Array())
    throw js::TypeError("Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'.");
  auto view = destination.As<v8::Uint8Array>();
  auto store = view->Buffer()->GetBackingStore();
  char* out = static_cast<char*>(store->Data()) + view->ByteOffset();
  int read = 0;
  int written = str->WriteUtf8(js.isolate(), out, static_cast<int>(view->ByteLength()), &read,
                               v8::String::NO_NULL_TERMINATION | v8::String::REPLACE_INVALID_UTF8);
  auto result = v8::Object::New(js.isolate());
  js.set(result, "read", v8::Number::New(js.isolate(), read));
  js.set(result, "written", v8::Number::New(js.isolate(), written));
  return js::Value(result);
}

js::Ref<TextDecoder> TextDecoder::constructor(std::optional<std::string> label, std::optional<Options> options) {
  Options o = options.value_or(Options{});
  std::string enc = label.value_or("utf-8");
  for (auto& ch : enc) ch = static_cast<char>(tolower(ch));
  if (enc != "utf-8" && enc != "utf8" && enc != "unicode-1-1-utf-8")
    throw js::RangeError("Failed to construct 'TextDecoder': The encoding label provided ('" + enc + "') is invalid.");
  return js::make<TextDecoder>("utf-8", o.fatal, o.ignoreBOM);
}

js::Value TextDecoder::decode(js::Lock& js, std::optional<js::Value> input, std::optional<DecodeOptions> options) {
  std::string bytes;
  if (input && !input->isUndefined()) {
    auto src = js::Conv<js::BufferSource>::fromJs(js, input->local(), "Failed to execute 'decode' on 'TextDecoder': parameter 1");
    bytes.assign(reinterpret_cast<const char*>(src.bytes.data()), src.bytes.size());
  }
  if (!ignoreBOM_ && bytes.size() >= 3 && memcmp(bytes.data(), "\xEF\xBB\xBF", 3) == 0) bytes.erase(0, 3);
  return js::Value(js.str(bytes));
}

}  // namespace wisp::api
