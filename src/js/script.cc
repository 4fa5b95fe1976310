#include "js/script.h"

#include <algorithm>

#include "js/snapshot.h"

namespace wisp::js {
namespace {

// Static ASCII text seen by V8 as an external string (never copied, never freed).
class StaticSource final : public v8::String::ExternalOneByteStringResource {
 public:
  explicit StaticSource(std::string_view text) : text_(text) {}
  const char* data() const override { return text_.data(); }
  size_t length() const override { return text_.size(); }

 private:
  std::string_view text_;
};

}  // namespace

Value runScript(Lock& js, std::string_view name, std::string_view source) {
  v8::ScriptOrigin origin(js.isolate(), js.str(name));
  v8::ScriptCompiler::Source src(js.str(source), origin);
  auto script = js.check(v8::ScriptCompiler::Compile(js.context(), &src));
  return Value(js.check(script->Run(js.context())));
}

Value runStaticScript(Lock& js, std::string_view name, std::string_view staticSource) {
  bool ascii = std::all_of(staticSource.begin(), staticSource.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii) return runScript(js, name, staticSource);
  // V8 owns the resource once the string exists, and deletes it when the string dies.
  auto resource = std::make_unique<StaticSource>(staticSource);
  v8::Local<v8::String> source;
  if (!v8::String::NewExternalOneByte(js.isolate(), resource.get()).ToLocal(&source))
    return runScript(js, name, staticSource);
  resource.release();
  v8::ScriptOrigin origin(js.isolate(), js.str(name));
  v8::ScriptCompiler::Source src(source, origin);
  auto script = js.check(v8::ScriptCompiler::Compile(js.context(), &src));
  return Value(js.check(script->Run(js.context())));
}

void runRuntimeBundle(Lock& js, std::string_view name, std::string_view source, Value ops) {
  auto global = js.context()->Global();
  auto internals = v8::Object::New(js.isolate());
  js.set(global, "__wispOps", ops.local());
  js.set(global, "__wispInternals", internals);
  runScript(js, name, source);
  js.check(global->Delete(js.context(), js.name("__wispOps")));
  js.check(global->Delete(js.context(), js.name("__wispInternals")));
  auto key = v8::Private::ForApi(js.isolate(), js.str(kInternalsKey));
  js.check(global->SetPrivate(js.context(), key, internals));
}

std::string callGlobalFunction(Lock& js, const char* name, const std::vector<std::string>& args) {
  auto global = js.context()->Global();
  auto fn = js.get(global, name);
  if (!fn->IsFunction()) throw Error(std::string("internal: global function '") + name + "' missing");
  std::vector<v8::Local<v8::Value>> argv;
  for (auto& a : args) argv.push_back(js.str(a));
  auto result = js.check(fn.As<v8::Function>()->Call(js.context(), global, static_cast<int>(argv.size()), argv.data()));
  return js.toString(result);
}

}  // namespace wisp::js
