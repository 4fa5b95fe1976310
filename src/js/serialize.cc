#include "js/serialize.h"

#include <cstdlib>
#include <vector>

namespace wisp::js {
namespace {

class SerializerDelegate final : public v8::ValueSerializer::Delegate {
 public:
  explicit SerializerDelegate(Lock& js) : js_(js) {}
  void ThrowDataCloneError(v8::Local<v8::String> message) override {
    js_.throwError(DOMException("DataCloneError", js_.toString(message)));
  }
  v8::Maybe<bool> WriteHostObject(v8::Isolate*, v8::Local<v8::Object> object) override {
    js_.throwError(DOMException("DataCloneError", "Could not serialize object of this type."));
    return v8::Nothing<bool>();
  }
  v8::Maybe<uint32_t> GetSharedArrayBufferId(v8::Isolate*, v8::Local<v8::SharedArrayBuffer>) override {
    js_.throwError(DOMException("DataCloneError", "SharedArrayBuffer cannot be cloned."));
    return v8::Nothing<uint32_t>();
  }

 private:
  Lock& js_;
};

}  // namespace

Value structuredClone(Lock& js, Value valueArg, Value optionsArg) {
  auto value = valueArg.local();
  auto options = optionsArg.local();
  std::vector<v8::Local<v8::ArrayBuffer>> transfers;
  if (!options.IsEmpty() && !options->IsNullOrUndefined()) {
    if (!options->IsObject()) throw TypeError("Failed to execute 'structuredClone': options is not an object.");
    auto list = js.get(options.As<v8::Object>(), "transfer");
    if (!list->IsUndefined()) {
      if (!list->IsArray()) throw TypeError("Failed to execute 'structuredClone': transfer is not a sequence.");
      auto arr = list.As<v8::Array>();
      for (uint32_t i = 0; i < arr->Length(); i++) {
        auto item = js.check(arr->Get(js.context(), i));
        if (!item->IsArrayBuffer())
          throw DOMException("DataCloneError", "Value not transferable: only ArrayBuffers can be transferred.");
        auto ab = item.As<v8::ArrayBuffer>();
        for (auto& t : transfers)
          if (t == ab) throw DOMException("DataCloneError", "ArrayBuffer appears more than once in the transfer list.");
        if (!ab->IsDetachable() || ab->WasDetached())
          throw DOMException("DataCloneError", "An ArrayBuffer is detached and could not be cloned.");
        transfers.push_back(ab);
      }
    }
  }

  SerializerDelegate delegate(js);
  v8::ValueSerializer serializer(js.isolate(), &delegate);
  for (uint32_t i = 0; i < transfers.size(); i++) serializer.TransferArrayBuffer(i, transfers[i]);
  serializer.WriteHeader();
  if (!serializer.WriteValue(js.context(), value).FromMaybe(false)) throw Pending{};
  auto [buffer, size] = serializer.Release();

  // Detach the transferred buffers; their contents move to the clone.
  std::vector<std::shared_ptr<v8::BackingStore>> stores;
  for (auto& ab : transfers) {
    stores.push_back(ab->GetBackingStore());
    ab->Detach();
  }

  v8::ValueDeserializer deserializer(js.isolate(), buffer, size);
  for (uint32_t i = 0; i < stores.size(); i++)
    deserializer.TransferArrayBuffer(i, v8::ArrayBuffer::New(js.isolate(), stores[i]));
  v8::Local<v8::Value> out;
  bool ok = deserializer.ReadHeader(js.context()).FromMaybe(false) &&
            deserializer.ReadValue(js.context()).ToLocal(&out);
  free(buffer);
  if (!ok) throw Pending{};
  return Value(out);
}

}  // namespace wisp::js
