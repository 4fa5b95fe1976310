#include "js/class.h"

#include "js/isolate.h"

namespace wisp::js {

Registry& Registry::get() {
  static Registry registry;
  return registry;
}

const std::vector<intptr_t>& Registry::externalReferences() {
  if (refs_.empty()) {
    for (ClassInfo* cls : classes_) {
      ClassBuilderBase collector(&refs_);
      cls->define(collector);
    }
    ClassBuilderBase common(&refs_);
    common.recordCommon();
    refs_.push_back(0);  // V8 wants the table null-terminated
  }
  return refs_;
}

void Wrapping::attach(Lock& js, Object* obj, v8::Local<v8::Object> wrapper) {
  auto* iso = js.isolate();
  wrapper->SetInternalField(kClassIdField, v8::Integer::New(iso, obj->class_ ? obj->class_->id : -1));
  wrapper->SetAlignedPointerInInternalField(kObjectField, obj);
  obj->isolate_ = iso;
  obj->wrapper_.Reset(iso, wrapper);
  obj->hasWrapper_ = true;
  obj->addRef();  // the wrapper's reference
  IsolateData::of(iso).trackWrapper(obj);
  if (obj->refs_ == 1) makeWeak(obj);
}

void Wrapping::makeWeak(Object* obj) {
  obj->wrapper_.SetWeak(
      obj,
      [](const v8::WeakCallbackInfo<Object>& info) {
        Object* o = info.GetParameter();
        o->wrapper_.Reset();
        // Freeing may touch other handles: do it in the second pass.
        info.SetSecondPassCallback([](const v8::WeakCallbackInfo<Object>& info2) {
          Object* o2 = info2.GetParameter();
          o2->hasWrapper_ = false;
          IsolateData::of(o2->isolate_).untrackWrapper(o2);
          o2->release();
        });
        (void)o;
      },
      v8::WeakCallbackType::kParameter);
}

void Wrapping::detachForDisposal(Object* obj) {
  obj->wrapper_.Reset();
  obj->hasWrapper_ = false;
  obj->release();
}

v8::Local<v8::Object> Wrapping::wrap(Lock& js, Object* obj) {
  if (!obj->class_) throw Error("internal: object of an unregistered class");
  auto tmpl = IsolateData::of(js.isolate()).templateFor(js.isolate(), *obj->class_);
  auto wrapper = js.check(tmpl->InstanceTemplate()->NewInstance(js.context()));
  attach(js, obj, wrapper);
  return wrapper;
}

Object* Wrapping::unwrap(Lock& js, v8::Local<v8::Value> v, const ClassInfo& want) {
  if (!v->IsObject()) return nullptr;
  auto o = v.As<v8::Object>();
  if (o->InternalFieldCount() != kInternalFieldCount) return nullptr;
  auto idValue = o->GetInternalField(kClassIdField);
  if (!idValue->IsInt32()) return nullptr;
  const ClassInfo* cls = Registry::get().byId(idValue.As<v8::Int32>()->Value());
  while (cls && cls != &want) cls = cls->parent;
  if (!cls) return nullptr;
  (void)js;
  return static_cast<Object*>(o->GetAlignedPointerFromInternalField(kObjectField));
}

void exposeClass(Lock& js, const ClassInfo& cls) {
  auto fn = js.check(IsolateData::of(js.isolate()).templateFor(js.isolate(), cls)->GetFunction(js.context()));
  js.check(js.context()->Global()->DefineOwnProperty(js.context(), js.name(cls.name), fn, v8::DontEnum));
}

Value makeStatelessInstance(Lock& js, const ClassInfo& cls) {
  auto tmpl = IsolateData::of(js.isolate()).templateFor(js.isolate(), cls);
  auto obj = js.check(tmpl->InstanceTemplate()->NewInstance(js.context()));
  obj->SetInternalField(kClassIdField, v8::Integer::New(js.isolate(), cls.id));
  obj->SetAlignedPointerInInternalField(kObjectField, nullptr);
  return Value(obj);
}

// ---- ClassBuilderBase (building mode) ----

v8::Local<v8::FunctionTemplate> ClassBuilderBase::fn(v8::FunctionCallback cb, int length,
                                                     bool withSignature, const char* name) {
  auto sig = withSignature ? v8::Signature::New(isolate_, tmpl_) : v8::Local<v8::Signature>();
  auto data = v8::String::NewFromUtf8(isolate_, name, v8::NewStringType::kInternalized).ToLocalChecked();
  return v8::FunctionTemplate::New(isolate_, cb, data, sig, length,
                                   v8::ConstructorBehavior::kThrow);
}

static v8::Local<v8::String> internalized(v8::Isolate* iso, const char* s) {
  return v8::String::NewFromUtf8(iso, s, v8::NewStringType::kInternalized).ToLocalChecked();
}

void ClassBuilderBase::addMethod(const char* name, v8::FunctionCallback cb, int length,
                                 bool withSignature) {
  tmpl_->PrototypeTemplate()->Set(internalized(isolate_, name), fn(cb, length, withSignature, name));
}

void ClassBuilderBase::addStatic(const char* name, v8::FunctionCallback cb, int length) {
  tmpl_->Set(internalized(isolate_, name), fn(cb, length, false, name));
}

void ClassBuilderBase::addAccessor(const char* name, v8::FunctionCallback get, v8::FunctionCallback set) {
  auto getter = fn(get, 0, true, name);
  v8::Local<v8::FunctionTemplate> setter;
  if (set) setter = fn(set, 1, true, name);
  tmpl_->PrototypeTemplate()->SetAccessorProperty(internalized(isolate_, name), getter, setter);
}

void ClassBuilderBase::addConstant(const char* name, double value) {
  auto attrs = static_cast<v8::PropertyAttribute>(v8::ReadOnly | v8::DontDelete);
  tmpl_->Set(internalized(isolate_, name), v8::Number::New(isolate_, value), attrs);
  tmpl_->PrototypeTemplate()->Set(internalized(isolate_, name), v8::Number::New(isolate_, value), attrs);
}

namespace {
void illegalConstructor(const v8::FunctionCallbackInfo<v8::Value>& info) {
  Lock::current(info.GetIsolate()).throwError(TypeError("Illegal constructor"));
}
}  // namespace

void ClassBuilderBase::setConstructor(v8::FunctionCallback cb, int length) {
  tmpl_->SetCallHandler(cb, internalized(isolate_, info_->name));
  tmpl_->SetLength(length);
  hasConstructor_ = true;
}

void ClassBuilderBase::finish() {
  if (!hasConstructor_) tmpl_->SetCallHandler(&illegalConstructor);
  // Object.prototype.toString gives "[object TextDecoder]", as Web IDL asks.
  tmpl_->PrototypeTemplate()->Set(v8::Symbol::GetToStringTag(isolate_), internalized(isolate_, info_->name),
                                  static_cast<v8::PropertyAttribute>(v8::ReadOnly | v8::DontEnum));
}

void ClassBuilderBase::recordCommon() { refs_->push_back(reinterpret_cast<intptr_t>(&illegalConstructor)); }

void ClassBuilderBase::setParent(const ClassInfo& parent) {
  tmpl_->Inherit(IsolateData::of(isolate_).templateFor(isolate_, parent));
}

void detail::throwArgumentCount(const v8::FunctionCallbackInfo<v8::Value>& info, const char* cls, int required) {
  std::string head;
  if (info.IsConstructCall()) {
    head = std::string("Failed to construct '") + cls + "'";
  } else {
    std::string method = "?";
    if (info.Data()->IsString()) {
      v8::String::Utf8Value s(info.GetIsolate(), info.Data());
      if (*s) method = *s;
    }
    head = "Failed to execute '" + method + "' on '" + cls + "'";
  }
  throw TypeError(head + ": " + std::to_string(required) + (required == 1 ? " argument" : " arguments") +
                  " required, but only " + std::to_string(info.Length()) + " present.");
}

const std::string& detail::describe(const v8::FunctionCallbackInfo<v8::Value>& info, const char* cls) {
  thread_local std::string out;
  out.assign("Failed to execute '");
  if (info.Data()->IsString()) {
    v8::String::Utf8Value s(info.GetIsolate(), info.Data());
    if (*s) out.append(*s);
  }
  out.append("' on '").append(cls).append("': argument");
  return out;
}

}  // namespace wisp::js
