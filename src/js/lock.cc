#include "js/lock.h"

#include <cstring>

#include "js/convert.h"
#include "js/isolate.h"

namespace wisp::js {

IsolateData& Lock::data() const { return IsolateData::of(isolate_); }

v8::Local<v8::String> Lock::str(std::string_view s) const {
  return check(v8::String::NewFromUtf8(isolate_, s.data(), v8::NewStringType::kNormal,
                                       static_cast<int>(s.size())));
}

v8::Local<v8::String> Lock::name(std::string_view s) const {
  return check(v8::String::NewFromUtf8(isolate_, s.data(), v8::NewStringType::kInternalized,
                                       static_cast<int>(s.size())));
}

std::string Lock::toString(v8::Local<v8::Value> v) const {
  auto s = check(v->ToString(context_));
  std::string out;
  out.resize(s->Utf8Length(isolate_));
  s->WriteUtf8(isolate_, out.data(), static_cast<int>(out.size()), nullptr,
               v8::String::NO_NULL_TERMINATION | v8::String::REPLACE_INVALID_UTF8);
  return out;
}

v8::Local<v8::Value> Lock::get(v8::Local<v8::Object> o, std::string_view key) const {
  return check(o->Get(context_, name(key)));
}

void Lock::set(v8::Local<v8::Object> o, std::string_view key, v8::Local<v8::Value> v) const {
  check(o->Set(context_, name(key), v));
}

Value Lock::undefined() const { return Value(v8::Undefined(isolate_)); }

Value Lock::bytes(std::string_view data) const {
  Lock self = *this;
  auto out = newUint8Array(self, data.size());
  if (!data.empty()) memcpy(out.bytes.data(), data.data(), data.size());
  return out.array;
}

Value Lock::array(const std::vector<Value>& items) const {
  auto arr = v8::Array::New(isolate_, static_cast<int>(items.size()));
  for (uint32_t i = 0; i < items.size(); i++) check(arr->Set(context_, i, items[i].local()));
  return Value(arr);
}

Value Lock::parseJson(std::string_view json) const { return Value(check(v8::JSON::Parse(context_, str(json)))); }

std::string Lock::toJson(Value v) const {
  auto s = check(v8::JSON::Stringify(context_, v.local()));
  return toString(s);
}

std::optional<std::string> Lock::tryToJson(Value v, std::string& error) const {
  v8::TryCatch tc(isolate_);
  v8::Local<v8::String> s;
  if (!v8::JSON::Stringify(context_, v.local()).ToLocal(&s)) {
    if (tc.HasTerminated()) {
      tc.ReThrow();
      throw Pending{};
    }
    auto e = toException(tc);
    error = e.name().empty() ? e.message() : e.name() + ": " + e.message();
    return std::nullopt;
  }
  if (v.local()->IsUndefined() || v.local()->IsFunction() || v.local()->IsSymbol()) return std::nullopt;
  return toString(s);
}

Value Lock::property(Value object, std::string_view key) const {
  if (!object.isObject()) return undefined();
  return Value(get(object.local().As<v8::Object>(), key));
}

std::string Lock::toBytes(Value v) const {
  auto l = v.local();
  if (l->IsArrayBufferView()) {
    auto view = l.As<v8::ArrayBufferView>();
    std::string out(view->ByteLength(), '\0');
    view->CopyContents(out.data(), out.size());
    return out;
  }
  if (l->IsArrayBuffer()) {
    auto store = l.As<v8::ArrayBuffer>()->GetBackingStore();
    return std::string(static_cast<const char*>(store->Data()), store->ByteLength());
  }
  return {};
}

std::span<uint8_t> Lock::viewBytes(Value v) const {
  if (!v.local()->IsArrayBufferView()) return {};
  auto view = v.local().As<v8::ArrayBufferView>();
  auto store = view->Buffer()->GetBackingStore();
  if (!store->Data()) return {};
  return {static_cast<uint8_t*>(store->Data()) + view->ByteOffset(), view->ByteLength()};
}

double Lock::toNumber(Value v) const { return check(v.local()->NumberValue(context_)); }

Value Lock::ownNonIndexKeys(Value object) const {
  if (!object.isObject()) return Value(v8::Array::New(isolate_));
  return Value(check(object.local().As<v8::Object>()->GetPropertyNames(
      context_, v8::KeyCollectionMode::kOwnOnly, v8::PropertyFilter::ALL_PROPERTIES, v8::IndexFilter::kSkipIndices,
      v8::KeyConversionMode::kKeepNumbers)));
}

size_t Lock::arrayLength(Value v) const { return v.local()->IsArray() ? v.local().As<v8::Array>()->Length() : 0; }

Value Lock::arrayItem(Value v, uint32_t index) const {
  return Value(check(v.local().As<v8::Array>()->Get(context_, index)));
}

Value Lock::call(Value function, const std::vector<Value>& args) const {
  if (!function.isFunction()) throw TypeError("The value is not a function.");
  std::vector<v8::Local<v8::Value>> argv;
  for (auto& a : args) argv.push_back(a.local());
  return Value(check(function.local().As<v8::Function>()->Call(context_, v8::Undefined(isolate_),
                                                               static_cast<int>(argv.size()), argv.data())));
}

JsException Lock::describe(Value exception) const {
  return toException(exception.local(), v8::Exception::CreateMessage(isolate_, exception.local()));
}

v8::Local<v8::Value> Lock::makeError(const JsError& e) const {
  auto msg = str(e.message());
  switch (e.kind()) {
    case ErrorKind::TypeError: return v8::Exception::TypeError(msg);
    case ErrorKind::RangeError: return v8::Exception::RangeError(msg);
    case ErrorKind::SyntaxError: return v8::Exception::SyntaxError(msg);
    case ErrorKind::Error: return v8::Exception::Error(msg);
    case ErrorKind::DOMException: break;
  }
  // DOMException is defined by the bundled JS (it needs Error.captureStackTrace); find it there.
  auto& internals = data().internals;
  if (!internals.IsEmpty()) {
    auto ctor = get(internals.Get(isolate_), "DOMException");
    if (ctor->IsFunction()) {
      v8::Local<v8::Value> args[] = {msg, str(e.domName())};
      v8::Local<v8::Object> out;
      if (ctor.As<v8::Function>()->NewInstance(context_, 2, args).ToLocal(&out)) return out;
    }
  }
  auto err = v8::Exception::Error(msg).As<v8::Object>();
  set(err, "name", str(e.domName()));
  return err;
}

void Lock::throwError(const JsError& e) const {
  try {
    isolate_->ThrowException(makeError(e));
  } catch (const Pending&) {
    // making the error itself threw (out of memory, termination): that exception stands
  }
}

JsException Lock::toException(v8::TryCatch& tc) const {
  return toException(tc.Exception(), tc.Message());
}

JsException Lock::toException(v8::Local<v8::Value> exception, v8::Local<v8::Message> message) const {
  std::string name, text, stack, location;
  auto safeString = [&](v8::Local<v8::Value> v) -> std::string {
    // Never run user code here (a throwing toString would recurse); read strings only.
    if (v.IsEmpty() || !v->IsString()) return {};
    v8::String::Utf8Value s(isolate_, v);
    return *s ? std::string(*s, s.length()) : std::string();
  };
  if (!exception.IsEmpty() && exception->IsObject()) {
    auto o = exception.As<v8::Object>();
    v8::Local<v8::Value> v;
    // Own or inherited properties, without interceptors. A getter the code defined on its own
    // thrown object does run here, still under the invocation's CPU budget; anything it throws
    // is dropped, and only string values are kept.
    auto read = [&](const char* key) -> std::string {
      v8::TryCatch inner(isolate_);
      v8::Local<v8::String> k;
      if (!v8::String::NewFromUtf8(isolate_, key, v8::NewStringType::kInternalized).ToLocal(&k)) return {};
      if (o->GetRealNamedProperty(context_, k).ToLocal(&v)) return safeString(v);
      if (inner.HasTerminated()) inner.ReThrow();
      return {};
    };
    name = read("name");
    text = read("message");
    stack = read("stack");
  } else if (!exception.IsEmpty()) {
    v8::Local<v8::String> s;
    if (exception->ToString(context_).ToLocal(&s)) text = safeString(s);
  }
  if (!message.IsEmpty()) {
    auto resource = safeString(message->GetScriptResourceName());
    int line = message->GetLineNumber(context_).FromMaybe(0);
    int col = message->GetStartColumn(context_).FromMaybe(-1) + 1;
    if (!resource.empty() || line > 0)
      location = resource + ":" + std::to_string(line) + ":" + std::to_string(col);
    if (text.empty() && name.empty()) text = safeString(message->Get());
  }
  return JsException(name, text, stack, location);
}

}  // namespace wisp::js
