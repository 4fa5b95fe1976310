#include "js/convert.h"

#include <cstring>

namespace wisp::js {

v8::Local<v8::Value> Conv<std::vector<uint8_t>>::toJs(Lock& js, const std::vector<uint8_t>& bytes) {
  auto buffer = v8::ArrayBuffer::New(js.isolate(), bytes.size());
  if (!bytes.empty()) memcpy(buffer->GetBackingStore()->Data(), bytes.data(), bytes.size());
  return v8::Uint8Array::New(buffer, 0, bytes.size());
}

}  // namespace wisp::js
