#include "js/serialize.h"

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "js/contain-errors.h"

namespace wisp::js {
namespace {

// What a host object written by SerializerDelegate starts with, so that the format can take
// other kinds of host objects later.
constexpr uint32_t kJsPlatformObjectTag = 1;

JsError dataCloneError(std::string message) { return DOMException("DataCloneError", std::move(message)); }

struct Hooks {
  v8::Local<v8::Function> interfaceName;
  v8::Local<v8::Function> serialize;
  v8::Local<v8::Function> deserialize;

  static Hooks from(Lock& js, Value value) {
    if (!value.isObject()) throw TypeError("internal: structuredClone needs its hooks");
    auto object = value.local().As<v8::Object>();
    auto function = [&](std::string_view name) {
      auto f = js.get(object, name);
      if (!f->IsFunction()) throw TypeError("internal: structuredClone hook missing");
      return f.As<v8::Function>();
    };
    return {function("interfaceName"), function("serialize"), function("deserialize")};
  }
};

int platformObjectClassId() { return classInfo<PlatformObject>().id; }

// A C++ wrapper's class, or null for any other object.
const ClassInfo* wrapperClass(v8::Local<v8::Object> object) {
  if (object->InternalFieldCount() != kInternalFieldCount) return nullptr;
  auto id = object->GetInternalField(kClassIdField);
  if (!id->IsInt32()) return nullptr;
  return Registry::get().byId(id.As<v8::Int32>()->Value());
}

bool isPlatformObjectWrapper(v8::Local<v8::Object> object) {
  const ClassInfo* cls = wrapperClass(object);
  return cls && cls->id == platformObjectClassId();
}

// The name of the first interface in the prototype chain that starts at `prototype` (as
// hooks.interfaceName tells), or nullopt.
std::optional<std::string> interfaceName(Lock& js, const Hooks& hooks, v8::Local<v8::Value> prototype) {
  for (auto p = prototype; p->IsObject() && !p.As<v8::Object>()->IsProxy(); p = p.As<v8::Object>()->GetPrototype()) {
    v8::Local<v8::Value> argv[] = {p};
    auto name = js.check(hooks.interfaceName->Call(js.context(), v8::Undefined(js.isolate()), 1, argv));
    if (name->IsString()) return js.toString(name);
  }
  return std::nullopt;
}

// "URL object could not be cloned." (the wording browsers use)
JsError notCloneable(std::string_view name) {
  return dataCloneError(std::string(name.empty() ? "The" : name) + " object could not be cloned.");
}

// Walks a value the way V8's serializer will (array elements, own enumerable string-keyed
// properties, Map and Set entries) and finds the first ordinary object that is a platform
// object implemented in JS. It runs no user code: accessor properties are not read (V8 will
// read them once, later; an object reachable only through a getter is not seen), proxies and
// host objects are not entered. Its state lives on the JS heap (a stack array, a Set, a Map),
// so that each step can drop its handles: millions of live handles would make every
// scavenge slow.
class PlatformObjectScan {
 public:
  PlatformObjectScan(Lock& js, const Hooks& hooks)
      : js_(js), hooks_(hooks), context_(js.context()),
        objectPrototype_(v8::Object::New(js.isolate())->GetPrototype()), global_(context_->Global()),
        pending_(v8::Array::New(js.isolate())), seen_(v8::Set::New(js.isolate())),
        prototypes_(v8::Map::New(js.isolate())) {}

  // The interface name of the platform object found, or nullopt.
  std::optional<std::string> find(v8::Local<v8::Value> root) {
    push(root);
    while (size_ > 0) {
      v8::HandleScope scope(js_.isolate());
      auto object = js_.check(pending_->Get(context_, --size_)).As<v8::Object>();
      if (auto name = interfaceOf(object)) return name;
      pushChildren(object);
    }
    return std::nullopt;
  }

 private:
  void push(v8::Local<v8::Value> value) {
    if (!value->IsObject() || js_.check(seen_->Has(context_, value))) return;
    js_.check(seen_->Add(context_, value));
    js_.check(pending_->CreateDataProperty(context_, size_++, value));  // no setters run
  }

  // Objects V8 writes without looking inside for objects (dates, buffers, errors, ...), or
  // refuses (functions, proxies, the global, promises, ...), or hands to the delegate.
  bool isLeaf(v8::Local<v8::Object> o) const {
    return o->IsProxy() || o->IsFunction() || o->InternalFieldCount() > 0 || o == global_ ||
           o->IsArrayBuffer() || o->IsArrayBufferView() || o->IsSharedArrayBuffer() ||
           o->IsDate() || o->IsRegExp() || o->IsNativeError() || o->IsBooleanObject() ||
           o->IsNumberObject() || o->IsStringObject() || o->IsBigIntObject() ||
           o->IsSymbolObject() || o->IsModuleNamespaceObject() || o->IsPromise() ||
           o->IsWeakMap() || o->IsWeakSet() || o->IsGeneratorObject() || o->IsWasmModuleObject() ||
           o->IsWasmMemoryObject();
  }

  void pushChildren(v8::Local<v8::Object> object) {
    if (isLeaf(object)) return;
    if (object->IsMap() || object->IsSet()) {
      auto entries = object->IsMap() ? object.As<v8::Map>()->AsArray() : object.As<v8::Set>()->AsArray();
      for (uint32_t i = 0; i < entries->Length(); i++) push(js_.check(entries->Get(context_, i)));
      return;
    }
    auto indices = v8::IndexFilter::kIncludeIndices;
    if (object->IsArray()) {
      // Elements by index: a large array's keys would cost more than the walk.
      auto array = object.As<v8::Array>();
      for (uint32_t i = 0, n = array->Length(); i < n; i++) {
        if (js_.check(array->HasRealIndexedProperty(context_, i))) push(js_.check(array->Get(context_, i)));
      }
      indices = v8::IndexFilter::kSkipIndices;
    }
    // Numbers kept as numbers: V8 then takes its fast path for the keys of a plain object.
    auto filter = static_cast<v8::PropertyFilter>(v8::ONLY_ENUMERABLE | v8::SKIP_SYMBOLS);
    auto keys = js_.check(object->GetPropertyNames(context_, v8::KeyCollectionMode::kOwnOnly, filter, indices,
                                                   v8::KeyConversionMode::kKeepNumbers));
    for (uint32_t i = 0; i < keys->Length(); i++) {
      auto key = js_.check(keys->Get(context_, i));
      auto name = key->IsName() ? key.As<v8::Name>() : js_.check(key->ToString(context_)).As<v8::Name>();
      if (js_.check(object->HasRealNamedCallbackProperty(context_, name))) continue;  // a getter
      push(js_.check(object->Get(context_, key)));
    }
  }

  // For an ordinary object whose prototype chain holds an interface prototype: the interface.
  // Kept per direct prototype (name or false): a graph has few distinct ones.
  std::optional<std::string> interfaceOf(v8::Local<v8::Object> object) {
    if (isLeaf(object) || object->IsArray() || object->IsMap() || object->IsSet()) return std::nullopt;
    auto first = object->GetPrototype();
    if (first == objectPrototype_ || first->IsNull()) return std::nullopt;  // the common case
    auto known = js_.check(prototypes_->Get(context_, first));
    if (known->IsString()) return js_.toString(known);
    if (!known->IsUndefined()) return std::nullopt;
    auto name = interfaceName(js_, hooks_, first);
    js_.check(prototypes_->Set(context_, first, name ? js_.str(*name).As<v8::Value>()
                                                     : v8::False(js_.isolate()).As<v8::Value>()));
    return name;
  }

  Lock& js_;
  const Hooks& hooks_;
  v8::Local<v8::Context> context_;
  v8::Local<v8::Value> objectPrototype_;
  v8::Local<v8::Object> global_;
  v8::Local<v8::Array> pending_;  // a stack: [0, size_) are live
  uint32_t size_ = 0;
  v8::Local<v8::Set> seen_;
  v8::Local<v8::Map> prototypes_;
};

class SerializerDelegate final : public v8::ValueSerializer::Delegate {
 public:
  SerializerDelegate(Lock& js, const Hooks& hooks) : js_(js), hooks_(hooks) {}
  void attach(v8::ValueSerializer* serializer) { serializer_ = serializer; }

  void ThrowDataCloneError(v8::Local<v8::String> message) override {
    js_.throwError(dataCloneError(js_.toString(message)));
  }

  v8::Maybe<bool> WriteHostObject(v8::Isolate*, v8::Local<v8::Object> object) override {
    bool ok = containErrors(js_, [&] {
      if (!isPlatformObjectWrapper(object)) {
        const ClassInfo* cls = wrapperClass(object);
        throw notCloneable(cls ? cls->name : "");
      }
      v8::Local<v8::Value> argv[] = {object};
      auto data = js_.check(hooks_.serialize->Call(js_.context(), v8::Undefined(js_.isolate()), 1, argv));
      if (data->IsUndefined()) throw notCloneable(interfaceName(js_, hooks_, object->GetPrototype()).value_or(""));
      serializer_->WriteUint32(kJsPlatformObjectTag);
      js_.check(serializer_->WriteValue(js_.context(), data));
    });
    return ok ? v8::Just(true) : v8::Nothing<bool>();
  }

  v8::Maybe<uint32_t> GetSharedArrayBufferId(v8::Isolate*, v8::Local<v8::SharedArrayBuffer>) override {
    js_.throwError(dataCloneError("SharedArrayBuffer cannot be cloned."));
    return v8::Nothing<uint32_t>();
  }

 private:
  Lock& js_;
  const Hooks& hooks_;
  v8::ValueSerializer* serializer_ = nullptr;
};

// V8 allows no JavaScript while it deserialises. So a host object is read as a blank
// PlatformObject that takes its place in the graph, and is filled in by hooks.deserialize once
// V8 is done (finish()): innermost first, since an object's data is read before the object.
class DeserializerDelegate final : public v8::ValueDeserializer::Delegate {
 public:
  DeserializerDelegate(Lock& js, const Hooks& hooks) : js_(js), hooks_(hooks) {}
  void attach(v8::ValueDeserializer* deserializer) { deserializer_ = deserializer; }

  v8::MaybeLocal<v8::Object> ReadHostObject(v8::Isolate*) override {
    v8::Local<v8::Object> blank;
    containErrors(js_, [&] {
      uint32_t tag = 0;
      // A native Error, not a DOMException: V8 runs no JavaScript while it deserialises, and
      // constructing a DOMException would (V8's own text for the same failure).
      if (!deserializer_->ReadUint32(&tag) || tag != kJsPlatformObjectTag)
        throw Error("Unable to deserialize cloned data.");
      auto data = js_.check(deserializer_->ReadValue(js_.context()));
      blank = newPlatformObject(js_, Value(v8::Object::New(js_.isolate())->GetPrototype())).local().As<v8::Object>();
      // Globals: V8 closes its handle scope when this callback returns.
      pending_.emplace_back(v8::Global<v8::Object>(js_.isolate(), blank), v8::Global<v8::Value>(js_.isolate(), data));
    });
    return blank;
  }

  void finish() {
    for (auto& [blankHandle, dataHandle] : pending_) {
      auto blank = blankHandle.Get(js_.isolate());
      v8::Local<v8::Value> argv[] = {blank, dataHandle.Get(js_.isolate())};
      auto object = js_.check(hooks_.deserialize->Call(js_.context(), v8::Undefined(js_.isolate()), 2, argv));
      if (object != blank) throw Error("internal: deserialization steps did not build the object in place");
    }
  }

 private:
  Lock& js_;
  const Hooks& hooks_;
  v8::ValueDeserializer* deserializer_ = nullptr;
  std::vector<std::pair<v8::Global<v8::Object>, v8::Global<v8::Value>>> pending_;
};

// https://html.spec.whatwg.org/#structuredserializewithtransfer, steps 1-2: only ArrayBuffers
// are transferable so far.
std::vector<v8::Local<v8::ArrayBuffer>> transferList(Lock& js, Value transfer) {
  std::vector<v8::Local<v8::ArrayBuffer>> buffers;
  if (transfer.isUndefined()) return buffers;
  if (!transfer.local()->IsArray()) throw TypeError("internal: the transfer list is not an Array");
  auto list = transfer.local().As<v8::Array>();
  for (uint32_t i = 0; i < list->Length(); i++) {
    auto item = js.check(list->Get(js.context(), i));
    auto at = " at index " + std::to_string(i);
    if (!item->IsArrayBuffer()) throw dataCloneError("Value" + at + " does not have a transferable type.");
    auto buffer = item.As<v8::ArrayBuffer>();
    for (auto& earlier : buffers) {
      if (earlier == buffer)
        throw dataCloneError("ArrayBuffer" + at + " is a duplicate of an earlier ArrayBuffer.");
    }
    if (buffer->WasDetached()) throw dataCloneError("ArrayBuffer" + at + " is already detached.");
    if (!buffer->IsDetachable()) throw dataCloneError("ArrayBuffer" + at + " cannot be detached.");
    buffers.push_back(buffer);
  }
  return buffers;
}

struct FreeBuffer {
  void operator()(uint8_t* p) const { free(p); }  // ValueSerializer's buffer comes from realloc
};

}  // namespace

Value newPlatformObject(Lock& js, Value prototype) {
  if (platformObjectClassId() < 0) throw Error("internal: PlatformObject is not a registered class");
  if (!prototype.isObject()) throw TypeError("internal: a platform object needs a prototype object");
  auto object = makeStatelessInstance(js, classInfo<PlatformObject>()).local().As<v8::Object>();
  js.check(object->SetPrototype(js.context(), prototype.local()));
  return Value(object);
}

Value structuredClone(Lock& js, Value value, Value transfer, Value hooksValue) {
  Hooks hooks = Hooks::from(js, hooksValue);
  auto buffers = transferList(js, transfer);
  if (auto name = PlatformObjectScan(js, hooks).find(value.local())) throw notCloneable(*name);

  SerializerDelegate writerDelegate(js, hooks);
  v8::ValueSerializer writer(js.isolate(), &writerDelegate);
  writerDelegate.attach(&writer);
  for (uint32_t i = 0; i < buffers.size(); i++) writer.TransferArrayBuffer(i, buffers[i]);
  writer.WriteHeader();
  if (!writer.WriteValue(js.context(), value.local()).FromMaybe(false)) throw Pending{};
  auto [data, size] = writer.Release();
  std::unique_ptr<uint8_t, FreeBuffer> bytes(data);

  // Step 4: serialising may have run getters that detached a buffer of the list.
  for (uint32_t i = 0; i < buffers.size(); i++) {
    if (buffers[i]->WasDetached())
      throw dataCloneError("ArrayBuffer at index " + std::to_string(i) + " is already detached.");
  }
  // Transfer: the contents move to the clone; the originals are left detached.
  std::vector<std::shared_ptr<v8::BackingStore>> stores;
  for (auto& buffer : buffers) {
    stores.push_back(buffer->GetBackingStore());
    buffer->Detach();
  }

  DeserializerDelegate readerDelegate(js, hooks);
  v8::ValueDeserializer reader(js.isolate(), bytes.get(), size, &readerDelegate);
  readerDelegate.attach(&reader);
  for (uint32_t i = 0; i < stores.size(); i++)
    reader.TransferArrayBuffer(i, v8::ArrayBuffer::New(js.isolate(), std::move(stores[i])));
  if (!js.check(reader.ReadHeader(js.context()))) throw Pending{};
  auto out = js.check(reader.ReadValue(js.context()));
  readerDelegate.finish();
  return Value(out);
}

}  // namespace wisp::js
