#include "js/convert.h"

#include <cstring>

namespace wisp::js {

v8::Local<v8::Value> Conv<std::vector<uint8_t>>::toJs(Lock& js, const std::vector<uint8_t>& bytes) {
  auto out = newUint8Array(js, bytes.size());
  if (!bytes.empty()) memcpy(out.bytes.data(), bytes.data(), bytes.size());
  return out.array.local();
}

Uint8ArrayRef Conv<Uint8ArrayRef>::fromJs(Lock&, v8::Local<v8::Value> v, const char* what) {
  if (!v->IsUint8Array()) throw TypeError(std::string(what) + " is not of type 'Uint8Array'.");
  auto view = v.As<v8::Uint8Array>();
  size_t length = view->ByteLength();  // 0 once detached
  if (length == 0) return {};
  auto* base = static_cast<uint8_t*>(view->Buffer()->GetBackingStore()->Data());
  return {{base + view->ByteOffset(), length}};
}

NewUint8Array newUint8Array(Lock& js, size_t size) {
  if (size > v8::TypedArray::kMaxLength) throw RangeError("Array buffer allocation failed");
  // Through the isolate's (counting) allocator, with the one V8 10.2 entry point that reports a
  // refused allocation instead of crashing the process (ArrayBuffer::New aborts on nullptr).
  std::shared_ptr<v8::BackingStore> store = v8::ArrayBuffer::NewBackingStoreForNodeLTS(js.isolate(), size);
  if (!store) throw RangeError("Array buffer allocation failed");
  auto* data = static_cast<uint8_t*>(store->Data());
  if (size) memset(data, 0, size);
  auto buffer = v8::ArrayBuffer::New(js.isolate(), std::move(store));
  return {Value(v8::Uint8Array::New(buffer, 0, size)), {data, size}};
}

void StringRef::read(size_t start, std::span<char16_t> out) const {
  if (out.empty()) return;
  s_->Write(isolate_, reinterpret_cast<uint16_t*>(out.data()), static_cast<int>(start),
            static_cast<int>(out.size()), v8::String::NO_NULL_TERMINATION);
}

namespace {

// V8 may refuse a string over its limit with or without an exception pending: make sure the
// caller always gets one.
template <class Make>
Value checkedString(Lock& js, Make&& make) {
  v8::TryCatch tc(js.isolate());
  v8::Local<v8::String> out;
  if (make().ToLocal(&out)) return Value(out);
  if (tc.HasCaught() || tc.HasTerminated()) {
    tc.ReThrow();
    throw Pending{};
  }
  throw RangeError("Invalid string length.");
}

bool tooLong(size_t length) { return length > static_cast<size_t>(v8::String::kMaxLength); }

}  // namespace

Value newString(Lock& js, std::u16string_view text) {
  if (tooLong(text.size())) throw RangeError("Invalid string length.");
  return checkedString(js, [&] {
    return v8::String::NewFromTwoByte(js.isolate(), reinterpret_cast<const uint16_t*>(text.data()),
                                      v8::NewStringType::kNormal, static_cast<int>(text.size()));
  });
}

Value newLatin1String(Lock& js, std::span<const uint8_t> text) {
  if (tooLong(text.size())) throw RangeError("Invalid string length.");
  return checkedString(js, [&] {
    return v8::String::NewFromOneByte(js.isolate(), text.data(), v8::NewStringType::kNormal,
                                      static_cast<int>(text.size()));
  });
}

Value newUtf8String(Lock& js, std::span<const uint8_t> text) {
  // A UTF-8 string never has more code units than bytes; above the limit in bytes, let V8 decide.
  if (text.size() > static_cast<size_t>(INT32_MAX)) throw RangeError("Invalid string length.");
  return checkedString(js, [&] {
    return v8::String::NewFromUtf8(js.isolate(), reinterpret_cast<const char*>(text.data()),
                                   v8::NewStringType::kNormal, static_cast<int>(text.size()));
  });
}

}  // namespace wisp::js
