#include "js/script.h"

#include "js/snapshot.h"

namespace wisp::js {

Value runScript(Lock& js, std::string_view name, std::string_view source) {
  v8::ScriptOrigin origin(js.isolate(), js.str(name));
  v8::ScriptCompiler::Source src(js.str(source), origin);
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
