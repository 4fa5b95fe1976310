#include "js/rpc-serialize.h"

#include <cstdlib>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "js/class.h"
#include "js/contain-errors.h"
#include "js/serialize.h"
#include "js/shell.h"

namespace wisp::js {
namespace {

// What a host object written by RpcWriter starts with.
constexpr uint32_t kCapabilityTag = 1;
constexpr uint32_t kPlatformObjectTag = 2;
// An array is walked by index until it has shown this many holes; then by its keys, so a huge
// sparse array costs what it holds and a dense one allocates no list of keys.
constexpr uint32_t kHolesBeforeKeys = 1024;

JsError dataCloneError(std::string message) { return DOMException("DataCloneError", std::move(message)); }

// workerd's text for class instances and other objects that have no way to cross.
JsError unsupportedType(Lock& js, v8::Local<v8::Object> object) {
  return dataCloneError("Could not serialize object of type \"" + js.toString(object->GetConstructorName()) +
                        "\". This type does not support serialization.");
}

struct Hooks {
  v8::Local<v8::Function> interfaceName;
  v8::Local<v8::Function> serialize;
  v8::Local<v8::Function> deserialize;
  v8::Local<v8::Function> capability;

  static Hooks from(Lock& js, Value value) {
    if (!value.isObject()) throw TypeError("internal: RPC serialization needs its hooks");
    auto object = value.local().As<v8::Object>();
    auto function = [&](std::string_view name) {
      auto f = js.get(object, name);
      if (!f->IsFunction()) throw TypeError("internal: RPC serialization hook missing");
      return f.As<v8::Function>();
    };
    return {function("interfaceName"), function("serialize"), function("deserialize"), function("capability")};
  }

  v8::Local<v8::Value> call(Lock& js, v8::Local<v8::Function> fn, v8::Local<v8::Value> a,
                            v8::Local<v8::Value> b = {}) const {
    v8::Local<v8::Value> argv[] = {a, b.IsEmpty() ? v8::Undefined(js.isolate()).As<v8::Value>() : b};
    return js.check(fn->Call(js.context(), v8::Undefined(js.isolate()), 2, argv));
  }
};

// The binding layer's wrapper class of `object`, or null.
const ClassInfo* wrapperClass(v8::Local<v8::Object> object) {
  if (object->InternalFieldCount() != kInternalFieldCount) return nullptr;
  auto id = object->GetInternalField(kClassIdField);
  if (!id->IsInt32()) return nullptr;
  return Registry::get().byId(id.As<v8::Int32>()->Value());
}

bool isPlatformObject(v8::Local<v8::Object> object) {
  const ClassInfo* cls = wrapperClass(object);
  return cls && cls == &classInfo<PlatformObject>();
}

// How the walk and the copy treat a value.
enum class Kind {
  Primitive,   // V8 writes it (or refuses it: symbols)
  Leaf,        // an object V8 writes without looking for objects inside, refuses, or hands to the delegate
  Plain,       // an ordinary object whose prototype is Object.prototype
  Array,
  Map,
  Set,
  Error,       // a native error: copied without its stack
  Capability,  // a callable, a proxy, or an instance of a class: crosses by reference, or not at all
};

class Classifier {
 public:
  explicit Classifier(Lock& js)
      : objectPrototype_(v8::Object::New(js.isolate())->GetPrototype()), global_(js.context()->Global()) {}

  Kind of(v8::Local<v8::Value> value) const {
    if (!value->IsObject()) return Kind::Primitive;
    auto o = value.As<v8::Object>();
    if (o->IsProxy() || o->IsCallable()) return Kind::Capability;
    if (o->InternalFieldCount() > 0) return Kind::Leaf;  // host objects: the delegate decides
    if (o->IsArray()) return Kind::Array;
    if (o->IsMap()) return Kind::Map;
    if (o->IsSet()) return Kind::Set;
    if (o->IsNativeError()) return Kind::Error;
    if (o->IsArrayBuffer() || o->IsArrayBufferView() || o->IsSharedArrayBuffer() || o->IsDate() ||
        o->IsRegExp() || o->IsBooleanObject() || o->IsNumberObject() || o->IsStringObject() ||
        o->IsBigIntObject() || o->IsSymbolObject() || o->IsPromise() || o->IsWeakMap() || o->IsWeakSet() ||
        o->IsModuleNamespaceObject() || o->IsGeneratorObject() || o->IsWasmModuleObject() ||
        o->IsWasmMemoryObject() || o == global_) {
      return Kind::Leaf;
    }
    return o->GetPrototype() == objectPrototype_ ? Kind::Plain : Kind::Capability;
  }

 private:
  v8::Local<v8::Value> objectPrototype_;
  v8::Local<v8::Object> global_;
};

// Own enumerable string keys (array indices as numbers), as V8's serializer lists them.
v8::Local<v8::Array> ownKeys(Lock& js, v8::Local<v8::Object> object, bool indices) {
  auto filter = static_cast<v8::PropertyFilter>(v8::ONLY_ENUMERABLE | v8::SKIP_SYMBOLS);
  return js.check(object->GetPropertyNames(js.context(), v8::KeyCollectionMode::kOwnOnly, filter,
                                           indices ? v8::IndexFilter::kIncludeIndices : v8::IndexFilter::kSkipIndices,
                                           v8::KeyConversionMode::kKeepNumbers));
}

// Whether anything in `root` needs the copy: walks what V8 will read through data properties
// (getters are not run), without entering proxies or host objects. Its state lives on the JS
// heap so each step can drop its handles.
bool needsCopy(Lock& js, const Classifier& classify, v8::Local<v8::Value> root) {
  auto context = js.context();
  auto pending = v8::Array::New(js.isolate());
  auto seen = v8::Set::New(js.isolate());
  uint32_t size = 0;
  auto push = [&](v8::Local<v8::Value> value) {
    if (!value->IsObject() || js.check(seen->Has(context, value))) return;
    js.check(seen->Add(context, value));
    js.check(pending->CreateDataProperty(context, size++, value));
  };
  push(root);
  while (size > 0) {
    v8::HandleScope scope(js.isolate());
    auto object = js.check(pending->Get(context, --size)).As<v8::Object>();
    switch (classify.of(object)) {
      case Kind::Capability:
      case Kind::Error:
        return true;
      case Kind::Primitive:
      case Kind::Leaf:
        break;
      case Kind::Map:
      case Kind::Set: {
        auto entries = object->IsMap() ? object.As<v8::Map>()->AsArray() : object.As<v8::Set>()->AsArray();
        for (uint32_t i = 0; i < entries->Length(); i++) push(js.check(entries->Get(context, i)));
        break;
      }
      case Kind::Array:
      case Kind::Plain: {
        bool byIndex = object->IsArray();
        if (byIndex) {
          auto a = object.As<v8::Array>();
          uint32_t holes = 0;
          for (uint32_t i = 0, n = a->Length(); i < n && byIndex; i++) {
            if (js.check(a->HasRealIndexedProperty(context, i))) push(js.check(a->Get(context, i)));
            else if (++holes > kHolesBeforeKeys) byIndex = false;  // the keys below cover it all
          }
        }
        auto keys = ownKeys(js, object, !byIndex);
        for (uint32_t i = 0; i < keys->Length(); i++) {
          auto key = js.check(keys->Get(context, i));
          if (key->IsName() &&
              js.check(object->HasRealNamedCallbackProperty(context, key.As<v8::Name>()))) {
            continue;  // an accessor: V8 runs it once, when it writes
          }
          push(js.check(object->Get(context, key)));
        }
        break;
      }
    }
  }
  return false;
}

// The copy written instead of a value that holds capabilities or errors. Containers (plain
// objects, arrays, maps, sets) are copied, keeping identity (shared and cyclic references stay
// so); capabilities become markers, errors fresh errors; everything else is the same object.
class Copier {
 public:
  Copier(Lock& js, const Hooks& hooks, const Classifier& classify)
      : js_(js), hooks_(hooks), classify_(classify), copies_(v8::Map::New(js.isolate())),
        markers_(v8::Map::New(js.isolate())), work_(v8::Array::New(js.isolate())) {}

  v8::Local<v8::Value> copy(v8::Local<v8::Value> root) {
    auto out = convert(root);
    while (workSize_ > 0) {
      v8::HandleScope scope(js_.isolate());
      workSize_ -= 2;
      auto copy = js_.check(work_->Get(js_.context(), workSize_ + 1)).As<v8::Object>();
      auto original = js_.check(work_->Get(js_.context(), workSize_)).As<v8::Object>();
      fill(original, copy);
    }
    return out;
  }

  // marker -> capability index, for the delegate.
  v8::Local<v8::Map> markers() const { return markers_; }

 private:
  v8::Local<v8::Value> convert(v8::Local<v8::Value> value) {
    auto context = js_.context();
    if (!value->IsObject()) return value;
    auto known = js_.check(copies_->Get(context, value));
    if (!known->IsUndefined()) return known;
    auto object = value.As<v8::Object>();
    v8::Local<v8::Object> out;
    switch (classify_.of(object)) {
      case Kind::Primitive:
      case Kind::Leaf:
        return value;
      case Kind::Capability: {
        auto index = hooks_.call(js_, hooks_.capability, object, v8::Boolean::New(js_.isolate(), object->IsProxy()));
        if (!index->IsUint32()) throw unsupportedType(js_, object);
        auto marker = newPlatformObject(js_, Value(v8::Object::New(js_.isolate())->GetPrototype())).local();
        js_.check(markers_->Set(context, marker, index));
        out = marker.As<v8::Object>();
        break;
      }
      case Kind::Error:
        out = freshError(object);
        break;
      case Kind::Plain:
        out = v8::Object::New(js_.isolate());
        later(object, out);
        break;
      case Kind::Array:
        out = v8::Array::New(js_.isolate(), 0);
        later(object, out);
        break;
      case Kind::Map:
        out = v8::Map::New(js_.isolate());
        later(object, out);
        break;
      case Kind::Set:
        out = v8::Set::New(js_.isolate());
        later(object, out);
        break;
    }
    js_.check(copies_->Set(context, value, out));
    return out;
  }

  void later(v8::Local<v8::Object> original, v8::Local<v8::Object> copy) {
    js_.check(work_->CreateDataProperty(js_.context(), workSize_++, original));
    js_.check(work_->CreateDataProperty(js_.context(), workSize_++, copy));
  }

  void fill(v8::Local<v8::Object> original, v8::Local<v8::Object> copy) {
    auto context = js_.context();
    if (original->IsMap() || original->IsSet()) {
      bool map = original->IsMap();
      auto entries = map ? original.As<v8::Map>()->AsArray() : original.As<v8::Set>()->AsArray();
      for (uint32_t i = 0; i < entries->Length(); i += map ? 2 : 1) {
        auto key = convert(js_.check(entries->Get(context, i)));
        if (map) {
          auto value = convert(js_.check(entries->Get(context, i + 1)));
          js_.check(copy.As<v8::Map>()->Set(context, key, value));
        } else {
          js_.check(copy.As<v8::Set>()->Add(context, key));
        }
      }
      return;
    }
    if (original->IsArray()) {
      // Present elements in order: appended one by one, a dense array stays dense.
      auto length = original.As<v8::Array>()->Length();
      auto keys = ownKeys(js_, original, true);
      uint32_t present = 0;
      for (uint32_t i = 0; i < keys->Length(); i++)
        if (js_.check(keys->Get(context, i))->IsUint32()) present++;
      if (present != length) js_.check(copy->Set(context, js_.name("length"), v8::Integer::NewFromUnsigned(js_.isolate(), length)));
      for (uint32_t i = 0; i < keys->Length(); i++) {
        auto key = js_.check(keys->Get(context, i));
        auto value = convert(js_.check(original->Get(context, key)));
        if (key->IsUint32()) {
          js_.check(copy->CreateDataProperty(context, key.As<v8::Uint32>()->Value(), value));
        } else {
          js_.check(copy->CreateDataProperty(context, js_.check(key->ToString(context)).As<v8::Name>(), value));
        }
      }
      return;
    }
    auto keys = ownKeys(js_, original, true);
    for (uint32_t i = 0; i < keys->Length(); i++) {
      auto key = js_.check(keys->Get(context, i));
      auto value = convert(js_.check(original->Get(context, key)));
      js_.check(copy->CreateDataProperty(context, js_.check(key->ToString(context)).As<v8::Name>(), value));
    }
  }

  // The same kind of error with the same name and message; V8 writes no stack for it.
  v8::Local<v8::Object> freshError(v8::Local<v8::Object> error) {
    auto context = js_.context();
    auto nameValue = js_.get(error, "name");
    auto messageValue = js_.get(error, "message");
    std::string name = nameValue->IsUndefined() ? "Error" : js_.toString(nameValue);
    auto message = messageValue->IsUndefined() ? js_.str("") : js_.check(messageValue->ToString(context));
    v8::Local<v8::Value> fresh;
    if (name == "TypeError") fresh = v8::Exception::TypeError(message);
    else if (name == "RangeError") fresh = v8::Exception::RangeError(message);
    else if (name == "ReferenceError") fresh = v8::Exception::ReferenceError(message);
    else if (name == "SyntaxError") fresh = v8::Exception::SyntaxError(message);
    else fresh = v8::Exception::Error(message);
    auto out = fresh.As<v8::Object>();
    // EvalError and URIError are named by their `name`, which V8 reads when it writes.
    if (name == "EvalError" || name == "URIError") js_.check(out->CreateDataProperty(context, js_.name("name"), js_.str(name)));
    js_.check(out->Delete(context, js_.name("stack")));
    return out;
  }

  Lock& js_;
  const Hooks& hooks_;
  const Classifier& classify_;
  v8::Local<v8::Map> copies_;   // original -> copy (or marker)
  v8::Local<v8::Map> markers_;  // marker -> capability index
  v8::Local<v8::Array> work_;   // [original, copy] pairs still to fill
  uint32_t workSize_ = 0;
};

class RpcWriter final : public v8::ValueSerializer::Delegate {
 public:
  RpcWriter(Lock& js, const Hooks& hooks, v8::Local<v8::Map> markers)
      : js_(js), hooks_(hooks), markers_(markers) {}
  void attach(v8::ValueSerializer* serializer) { serializer_ = serializer; }

  void ThrowDataCloneError(v8::Local<v8::String> message) override {
    js_.throwError(dataCloneError(js_.toString(message)));
  }

  v8::Maybe<bool> WriteHostObject(v8::Isolate*, v8::Local<v8::Object> object) override {
    bool ok = containErrors(js_, [&] {
      if (!markers_.IsEmpty()) {
        auto index = js_.check(markers_->Get(js_.context(), object));
        if (index->IsUint32()) return writeCapability(index.As<v8::Uint32>()->Value());
      }
      if (isShell(object)) {
        auto index = hooks_.call(js_, hooks_.capability, object);
        if (!index->IsUint32()) throw unsupportedType(js_, object);
        return writeCapability(index.As<v8::Uint32>()->Value());
      }
      if (isPlatformObject(object)) {
        auto data = hooks_.call(js_, hooks_.serialize, object);
        if (data->IsUndefined()) throw unsupportedType(js_, object);
        serializer_->WriteUint32(kPlatformObjectTag);
        js_.check(serializer_->WriteValue(js_.context(), data));
        return;
      }
      const ClassInfo* cls = wrapperClass(object);
      if (cls) {
        throw dataCloneError(std::string("Could not serialize object of type \"") + cls->name +
                             "\". This type does not support serialization.");
      }
      throw unsupportedType(js_, object);
    });
    return ok ? v8::Just(true) : v8::Nothing<bool>();
  }

  v8::Maybe<uint32_t> GetSharedArrayBufferId(v8::Isolate*, v8::Local<v8::SharedArrayBuffer>) override {
    js_.throwError(dataCloneError("SharedArrayBuffer cannot be cloned."));
    return v8::Nothing<uint32_t>();
  }

  // The buffer is the C heap's: bounded here, since no limit of the isolate covers it.
  void* ReallocateBufferMemory(void* old, size_t size, size_t* actual) override {
    if (size > kMaxSerializedBytes) {
      tooLarge_ = true;
      return nullptr;
    }
    void* p = realloc(old, size);
    if (p) *actual = size;
    return p;
  }
  void FreeBufferMemory(void* buffer) override { free(buffer); }
  bool tooLarge() const { return tooLarge_; }

 private:
  void writeCapability(uint32_t index) {
    serializer_->WriteUint32(kCapabilityTag);
    serializer_->WriteUint32(index);
  }

  Lock& js_;
  const Hooks& hooks_;
  v8::Local<v8::Map> markers_;
  v8::ValueSerializer* serializer_ = nullptr;
  bool tooLarge_ = false;
};

// V8 runs no JavaScript while it deserialises: capabilities are objects made beforehand, a
// platform object is read as a blank PlatformObject, filled in by hooks.deserialize afterwards,
// and bad bytes throw a native Error (a DOMException would need JS to construct it), with V8's
// own text for the same failure.
JsError badBytes() { return Error("Unable to deserialize cloned data."); }

class RpcReader final : public v8::ValueDeserializer::Delegate {
 public:
  RpcReader(Lock& js, const Hooks& hooks, v8::Local<v8::Array> capabilities)
      : js_(js), hooks_(hooks), capabilities_(capabilities) {}
  void attach(v8::ValueDeserializer* deserializer) { deserializer_ = deserializer; }

  v8::MaybeLocal<v8::Object> ReadHostObject(v8::Isolate*) override {
    v8::Local<v8::Object> out;
    containErrors(js_, [&] {
      uint32_t tag = 0;
      if (!deserializer_->ReadUint32(&tag)) throw badBytes();
      if (tag == kCapabilityTag) {
        uint32_t index = 0;
        if (!deserializer_->ReadUint32(&index) || index >= capabilities_->Length()) throw badBytes();
        auto value = js_.check(capabilities_->Get(js_.context(), index));
        if (!value->IsObject()) throw badBytes();
        out = value.As<v8::Object>();
        return;
      }
      if (tag != kPlatformObjectTag) throw badBytes();
      auto data = js_.check(deserializer_->ReadValue(js_.context()));
      out = newPlatformObject(js_, Value(v8::Object::New(js_.isolate())->GetPrototype())).local().As<v8::Object>();
      pending_.emplace_back(v8::Global<v8::Object>(js_.isolate(), out), v8::Global<v8::Value>(js_.isolate(), data));
    });
    return out;
  }

  void finish() {
    for (auto& [blankHandle, dataHandle] : pending_) {
      auto blank = blankHandle.Get(js_.isolate());
      auto object = hooks_.call(js_, hooks_.deserialize, blank, dataHandle.Get(js_.isolate()));
      if (object != blank) throw Error("internal: deserialization steps did not build the object in place");
    }
  }

 private:
  Lock& js_;
  const Hooks& hooks_;
  v8::Local<v8::Array> capabilities_;
  v8::ValueDeserializer* deserializer_ = nullptr;
  std::vector<std::pair<v8::Global<v8::Object>, v8::Global<v8::Value>>> pending_;
};

struct FreeBuffer {
  void operator()(uint8_t* p) const { free(p); }  // ValueSerializer's buffer comes from realloc
};

}  // namespace

std::string serializeForRpc(Lock& js, Value value, Value hooksValue) {
  Hooks hooks = Hooks::from(js, hooksValue);
  Classifier classify(js);
  auto root = value.local();
  v8::Local<v8::Map> markers;
  std::optional<Copier> copier;
  if (needsCopy(js, classify, root)) {
    copier.emplace(js, hooks, classify);
    root = copier->copy(root);
    markers = copier->markers();
  }
  RpcWriter delegate(js, hooks, markers);
  v8::ValueSerializer writer(js.isolate(), &delegate);
  delegate.attach(&writer);
  writer.WriteHeader();
  {
    // V8 10.2 ignores a delegate's failure unless its exception is "scheduled", which it is not
    // under this TryCatch: an exception caught here means the value was not written.
    v8::TryCatch tc(js.isolate());
    bool written = writer.WriteValue(js.context(), root).FromMaybe(false);
    if (tc.HasTerminated()) {
      tc.ReThrow();
      throw Pending{};
    }
    if (delegate.tooLarge()) {
      throw Error("Serialized RPC arguments or return values are limited to 32MiB, but the size of this value was more than " +
                  std::to_string(kMaxSerializedBytes) + " bytes.");
    }
    if (tc.HasCaught()) {
      tc.ReThrow();
      throw Pending{};
    }
    if (!written) throw Error("internal: the value could not be serialized");
  }
  auto [data, size] = writer.Release();
  std::unique_ptr<uint8_t, FreeBuffer> bytes(data);
  return std::string(reinterpret_cast<const char*>(bytes.get()), size);
}

Value deserializeForRpc(Lock& js, std::string_view bytes, Value capabilities, Value hooksValue) {
  Hooks hooks = Hooks::from(js, hooksValue);
  if (!capabilities.local()->IsArray()) throw TypeError("internal: the capabilities are not an Array");
  RpcReader delegate(js, hooks, capabilities.local().As<v8::Array>());
  v8::ValueDeserializer reader(js.isolate(), reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &delegate);
  delegate.attach(&reader);
  if (!js.check(reader.ReadHeader(js.context()))) throw Pending{};
  auto out = js.check(reader.ReadValue(js.context()));
  delegate.finish();
  return Value(out);
}

}  // namespace wisp::js
