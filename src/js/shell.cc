#include "js/shell.h"

#include <vector>

#include "js/error.h"

namespace wisp::js {
namespace {

// Internal fields: [0] a tag that tells shells apart from the binding layer's wrappers (which
// have two fields, the first a class id), [1] the dispatcher.
constexpr int kShellFieldCount = 3;
constexpr int kTagField = 0;
constexpr int kDispatcherField = 1;
constexpr int32_t kShellTag = 0x5e11;

v8::Local<v8::Object> dispatcherOf(v8::Local<v8::Object> shell) {
  auto d = shell->GetInternalField(kDispatcherField);
  return d->IsObject() ? d.As<v8::Object>() : v8::Local<v8::Object>();
}

// Calls dispatcher[method](shell, arg); an empty result means a JS exception is pending.
v8::MaybeLocal<v8::Value> dispatch(v8::Isolate* isolate, v8::Local<v8::Object> shell, const char* method,
                                   v8::Local<v8::Value> arg) {
  auto context = isolate->GetCurrentContext();
  auto dispatcher = dispatcherOf(shell);
  if (dispatcher.IsEmpty()) return v8::Undefined(isolate);
  v8::Local<v8::Value> fn;
  v8::Local<v8::String> key;
  if (!v8::String::NewFromUtf8(isolate, method, v8::NewStringType::kInternalized).ToLocal(&key)) return {};
  if (!dispatcher->Get(context, key).ToLocal(&fn)) return {};
  if (!fn->IsFunction()) return v8::Undefined(isolate);
  v8::Local<v8::Value> argv[] = {shell, arg};
  return fn.As<v8::Function>()->Call(context, dispatcher, 2, argv);
}

// A property the prototype chain does not have (the handler is non-masking).
void getProperty(v8::Local<v8::Name> name, const v8::PropertyCallbackInfo<v8::Value>& info) {
  auto holder = info.Holder();
  if (!isShell(holder) || !name->IsString()) return;
  v8::Local<v8::Value> result;
  if (!dispatch(info.GetIsolate(), holder, "get", name).ToLocal(&result)) return;  // exception pending
  if (!result->IsUndefined()) info.GetReturnValue().Set(result);
}

// Own-property queries (`in`, hasOwnProperty, getOwnPropertyDescriptor) see nothing: the names
// the dispatcher answers are not properties the shell has, only what reading one gives.
void queryProperty(v8::Local<v8::Name>, const v8::PropertyCallbackInfo<v8::Integer>&) {}

void callShell(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto isolate = info.GetIsolate();
  // V8 makes the callable object itself the receiver of a call-as-function handler.
  v8::Local<v8::Object> shell = info.This();
  if (!isShell(shell)) shell = info.Holder();
  if (!isShell(shell)) {
    Lock::current(isolate).throwError(TypeError("Illegal invocation"));
    return;
  }
  // A packed array, as a call's arguments are (it is what RPC serializes).
  std::vector<v8::Local<v8::Value>> values;
  values.reserve(static_cast<size_t>(info.Length()));
  for (int i = 0; i < info.Length(); i++) values.push_back(info[i]);
  auto args = v8::Array::New(isolate, values.data(), values.size());
  v8::Local<v8::Value> result;
  if (dispatch(isolate, shell, "apply", args).ToLocal(&result)) info.GetReturnValue().Set(result);
}

}  // namespace

bool isShell(v8::Local<v8::Object> object) {
  if (object.IsEmpty() || object->InternalFieldCount() != kShellFieldCount) return false;
  auto tag = object->GetInternalField(kTagField);
  return tag->IsInt32() && tag.As<v8::Int32>()->Value() == kShellTag;
}

Value shellClass(Lock& js, bool callable) {
  auto isolate = js.isolate();
  // No constructor callback: the class is only ever used by newShell(), which fills the fields.
  auto tmpl = v8::FunctionTemplate::New(isolate);
  auto instance = tmpl->InstanceTemplate();
  instance->SetInternalFieldCount(kShellFieldCount);
  auto flags = static_cast<v8::PropertyHandlerFlags>(static_cast<int>(v8::PropertyHandlerFlags::kNonMasking) |
                                                     static_cast<int>(v8::PropertyHandlerFlags::kOnlyInterceptStrings));
  instance->SetHandler(v8::NamedPropertyHandlerConfiguration(getProperty, nullptr, queryProperty, nullptr, nullptr,
                                                             v8::Local<v8::Value>(), flags));
  if (callable) instance->SetCallAsFunctionHandler(callShell);
  auto fn = js.check(tmpl->GetFunction(js.context()));
  return Value(fn);
}

Value newShell(Lock& js, Value shellClass, Value prototype, Value dispatcher) {
  if (!shellClass.isFunction() || !prototype.isObject() || !dispatcher.isObject())
    throw TypeError("internal: newShell needs a shell class, a prototype and a dispatcher");
  auto fn = shellClass.local().As<v8::Function>();
  auto object = js.check(fn->NewInstance(js.context(), 0, nullptr));
  if (object->InternalFieldCount() != kShellFieldCount) throw TypeError("internal: not a shell class");
  object->SetInternalField(kTagField, v8::Integer::New(js.isolate(), kShellTag));
  object->SetInternalField(kDispatcherField, dispatcher.local());
  js.check(object->SetPrototype(js.context(), prototype.local()));
  return Value(object);
}

}  // namespace wisp::js
