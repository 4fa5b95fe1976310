#include "js/module.h"

#include <sstream>

#include "js/convert.h"
#include "js/isolate.h"

namespace wisp::js {

struct ModuleGraph::Entry {
  ModuleSpec spec;
  std::string builtinKey;        // for built-ins: the internals key
  v8::Global<v8::Module> module;
  v8::Global<v8::Value> value;   // synthetic default export, or CommonJS module.exports
  std::vector<std::string> exportNames;
  bool cjsRunning = false;
};

namespace {

std::string dirname(const std::string& name) {
  auto slash = name.rfind('/');
  return slash == std::string::npos ? std::string() : name.substr(0, slash + 1);
}

// Joins and normalises "a/b/" + "../c.js" -> "a/c.js". Leading "/" means the bundle root.
std::string joinPath(const std::string& base, const std::string& rel) {
  std::string path = rel.starts_with("/") ? rel.substr(1) : base + rel;
  std::vector<std::string> parts;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

}  // namespace

ModuleGraph::ModuleGraph(std::vector<ModuleSpec> modules, std::map<std::string, std::string> builtins,
                         Fallback fallback)
    : builtins_(std::move(builtins)), fallback_(std::move(fallback)) {
  for (auto& m : modules) {
    auto e = std::make_unique<Entry>();
    e->spec = std::move(m);
    auto name = e->spec.name;
    entries_[name] = std::move(e);
  }
}

ModuleGraph::~ModuleGraph() = default;

ModuleGraph& ModuleGraph::of(v8::Isolate* isolate) {
  auto* g = IsolateData::of(isolate).modules;
  if (!g) throw Error("internal: no module graph in this isolate");
  return *g;
}

ModuleGraph::Entry* ModuleGraph::find(const std::string& name) {
  auto it = entries_.find(name);
  if (it != entries_.end()) return it->second.get();
  if (!fallback_) return nullptr;
  auto spec = fallback_(name);
  if (!spec) return nullptr;
  auto e = std::make_unique<Entry>();
  e->spec = std::move(*spec);
  auto* raw = e.get();
  entries_[name] = std::move(e);
  return raw;
}

ModuleGraph::Entry& ModuleGraph::resolve(Lock& js, const std::string& specifier, const std::string& referrerAt) {
  // `referrerAt` is the importing module's name, possibly followed by ":line:column".
  std::string referrer = referrerAt;
  for (int i = 0; i < 2; i++) {
    auto colon = referrer.rfind(':');
    if (colon == std::string::npos || colon + 1 == referrer.size() ||
        referrer.find_first_not_of("0123456789", colon + 1) != std::string::npos)
      break;
    referrer.resize(colon);
  }
  if (auto b = builtins_.find(specifier); b != builtins_.end()) {
    if (auto* e = find(specifier)) return *e;
    auto e = std::make_unique<Entry>();
    e->spec = {specifier, ModuleType::Esm, {}};
    e->builtinKey = b->second;
    auto* raw = e.get();
    entries_[specifier] = std::move(e);
    return *raw;
  }
  bool relative = specifier.starts_with("./") || specifier.starts_with("../") || specifier.starts_with("/");
  std::string name = relative ? joinPath(dirname(referrer), specifier) : specifier;
  if (auto* e = find(name)) return *e;
  std::string msg = "No such module \"" + name + "\".";
  if (!referrerAt.empty()) msg += "\n  imported from \"" + referrerAt + "\"";
  throw Error(msg);
}

v8::Local<v8::Object> ModuleGraph::builtinObject(Lock& js, const std::string& key) {
  auto& internals = js.data().internals;
  if (internals.IsEmpty()) throw Error("internal: runtime internals missing");
  auto v = js.get(internals.Get(js.isolate()), key);
  if (!v->IsObject()) throw Error("internal: built-in module '" + key + "' missing");
  return v.As<v8::Object>();
}

v8::Local<v8::Module> ModuleGraph::moduleFor(Lock& js, Entry& e) {
  auto* iso = js.isolate();
  if (!e.module.IsEmpty()) return e.module.Get(iso);
  auto name = js.str(e.spec.name);
  v8::Local<v8::Module> module;
  std::vector<v8::Local<v8::String>> exports;

  if (!e.builtinKey.empty()) {
    auto obj = builtinObject(js, e.builtinKey);
    auto keys = js.check(obj->GetOwnPropertyNames(js.context()));
    for (uint32_t i = 0; i < keys->Length(); i++) {
      auto k = js.check(keys->Get(js.context(), i));
      e.exportNames.push_back(js.toString(k));
    }
    e.value.Reset(iso, obj);
  } else {
    switch (e.spec.type) {
      case ModuleType::Esm: {
        v8::ScriptOrigin origin(iso, name, 0, 0, false, -1, v8::Local<v8::Value>(), false, false, true);
        v8::ScriptCompiler::Source source(js.str(e.spec.content), origin);
        module = js.check(v8::ScriptCompiler::CompileModule(iso, &source));
        break;
      }
      case ModuleType::Cjs: {
        auto exportsValue = cjsExports(js, e);
        e.exportNames.push_back("default");
        if (exportsValue->IsObject()) {
          auto keys = js.check(exportsValue.As<v8::Object>()->GetOwnPropertyNames(js.context()));
          for (uint32_t i = 0; i < keys->Length(); i++) {
            auto k = js.toString(js.check(keys->Get(js.context(), i)));
            if (k != "default") e.exportNames.push_back(k);
          }
        }
        break;
      }
      case ModuleType::Text:
        e.value.Reset(iso, js.str(e.spec.content));
        e.exportNames = {"default"};
        break;
      case ModuleType::Data: {
        auto bytes = newUint8Array(js, e.spec.content.size());
        if (!e.spec.content.empty()) memcpy(bytes.bytes.data(), e.spec.content.data(), e.spec.content.size());
        e.value.Reset(iso, bytes.array.local().As<v8::Uint8Array>()->Buffer());
        e.exportNames = {"default"};
        break;
      }
      case ModuleType::Json: {
        auto parsed = v8::JSON::Parse(js.context(), js.str(e.spec.content));
        v8::Local<v8::Value> v;
        if (!parsed.ToLocal(&v)) throw Pending{};
        e.value.Reset(iso, v);
        e.exportNames = {"default"};
        break;
      }
      case ModuleType::Wasm: {
        auto bytes = v8::MemorySpan<const uint8_t>(reinterpret_cast<const uint8_t*>(e.spec.content.data()),
                                                   e.spec.content.size());
        auto wasm = js.check(v8::WasmModuleObject::Compile(iso, bytes));
        e.value.Reset(iso, wasm);
        e.exportNames = {"default"};
        break;
      }
    }
  }
  if (module.IsEmpty()) {
    for (auto& n : e.exportNames) exports.push_back(js.name(n));
    module = v8::Module::CreateSyntheticModule(iso, name, exports, &ModuleGraph::syntheticSteps);
  }
  e.module.Reset(iso, module);
  byHash_.emplace(module->GetIdentityHash(), &e);
  return module;
}

ModuleGraph::Entry* ModuleGraph::byModule(v8::Local<v8::Module> m) {
  auto range = byHash_.equal_range(m->GetIdentityHash());
  for (auto it = range.first; it != range.second; ++it)
    if (it->second->module == m) return it->second;
  return nullptr;
}

v8::MaybeLocal<v8::Value> ModuleGraph::syntheticSteps(v8::Local<v8::Context> context, v8::Local<v8::Module> module) {
  auto* iso = context->GetIsolate();
  Lock js(iso, context);
  try {
    auto& graph = of(iso);
    Entry* e = graph.byModule(module);
    if (!e) throw Error("internal: unknown synthetic module");
    auto value = e->value.Get(iso);
    for (auto& n : e->exportNames) {
      v8::Local<v8::Value> v = value;
      if (!e->builtinKey.empty() || (e->spec.type == ModuleType::Cjs && n != "default"))
        v = js.get(value.As<v8::Object>(), n);
      js.check(module->SetSyntheticModuleExport(iso, js.name(n), v));
    }
    return v8::Undefined(iso);
  } catch (const JsError& err) {
    js.throwError(err);
  } catch (const Pending&) {
  }
  return {};
}

v8::MaybeLocal<v8::Module> ModuleGraph::resolveCallback(v8::Local<v8::Context> context, v8::Local<v8::String> specifier,
                                                        v8::Local<v8::FixedArray>, v8::Local<v8::Module> referrer) {
  auto* iso = context->GetIsolate();
  Lock js(iso, context);
  try {
    auto& graph = of(iso);
    Entry* from = graph.byModule(referrer);
    // Name the import's position in the referrer ("main.js:3:20"), so a missing import points
    // at its line the way a syntax error does.
    std::string where = from ? from->spec.name : std::string();
    if (from && !referrer->IsSyntheticModule()) {
      auto requests = referrer->GetModuleRequests();
      for (int i = 0; i < requests->Length(); i++) {
        auto request = requests->Get(context, i).As<v8::ModuleRequest>();
        if (request->GetSpecifier()->StrictEquals(specifier)) {
          auto loc = referrer->SourceOffsetToLocation(request->GetSourceOffset());
          where += ":" + std::to_string(loc.GetLineNumber() + 1) + ":" + std::to_string(loc.GetColumnNumber() + 1);
          break;
        }
      }
    }
    Entry& target = graph.resolve(js, js.toString(specifier), where);
    return graph.moduleFor(js, target);
  } catch (const JsError& err) {
    js.throwError(err);
  } catch (const Pending&) {
  }
  return {};
}

// CommonJS: the source runs as function(exports, require, module, __filename, __dirname), once,
// when first imported or required; module.exports is the result.
v8::Local<v8::Value> ModuleGraph::cjsExports(Lock& js, Entry& e) {
  auto* iso = js.isolate();
  if (!e.value.IsEmpty()) return e.value.Get(iso);
  if (e.cjsRunning) {
    // A require cycle: hand out the partial exports, as Node does.
    throw Error("Circular require of CommonJS module \"" + e.spec.name + "\" is not supported.");
  }
  e.cjsRunning = true;
  v8::ScriptOrigin origin(iso, js.str(e.spec.name));
  v8::ScriptCompiler::Source source(js.str(e.spec.content), origin);
  v8::Local<v8::String> params[] = {js.name("exports"), js.name("require"), js.name("module"),
                                    js.name("__filename"), js.name("__dirname")};
  auto fn = js.check(v8::ScriptCompiler::CompileFunction(js.context(), &source, 5, params));
  auto moduleObj = v8::Object::New(iso);
  auto exportsObj = v8::Object::New(iso);
  js.set(moduleObj, "exports", exportsObj);
  auto require = js.check(v8::Function::New(js.context(), &ModuleGraph::requireCallback, js.str(e.spec.name)));
  auto dir = dirname(e.spec.name);
  v8::Local<v8::Value> args[] = {exportsObj, require, moduleObj, js.str(e.spec.name),
                                 js.str(dir.empty() ? "." : dir.substr(0, dir.size() - 1))};
  js.check(fn->Call(js.context(), v8::Undefined(iso), 5, args));
  auto result = js.get(moduleObj, "exports");
  e.value.Reset(iso, result);
  e.cjsRunning = false;
  return result;
}

v8::Local<v8::Value> ModuleGraph::requireValue(Lock& js, Entry& e) {
  if (!e.builtinKey.empty()) return builtinObject(js, e.builtinKey);
  switch (e.spec.type) {
    case ModuleType::Cjs: return cjsExports(js, e);
    case ModuleType::Esm: {
      auto m = moduleFor(js, e);
      if (m->GetStatus() != v8::Module::kEvaluated)
        throw Error("Cannot require() ES module \"" + e.spec.name + "\" before it has been imported.");
      return m->GetModuleNamespace();
    }
    default:
      moduleFor(js, e);
      return e.value.Get(js.isolate());
  }
}

void ModuleGraph::requireCallback(const v8::FunctionCallbackInfo<v8::Value>& info) {
  Lock js = Lock::current(info.GetIsolate());
  try {
    if (info.Length() < 1 || !info[0]->IsString()) throw TypeError("require() expects a module name string.");
    auto& graph = of(js.isolate());
    auto referrer = js.toString(info.Data());
    auto spec = js.toString(info[0]);
    // Node-style: "node:" prefixed built-ins are not available.
    Entry& target = graph.resolve(js, spec, referrer);
    info.GetReturnValue().Set(graph.requireValue(js, target));
  } catch (const JsError& err) {
    js.throwError(err);
  } catch (const Pending&) {
  }
}

v8::MaybeLocal<v8::Promise> ModuleGraph::dynamicImport(v8::Local<v8::Context> context, v8::Local<v8::Data>,
                                                       v8::Local<v8::Value> resourceName,
                                                       v8::Local<v8::String> specifier, v8::Local<v8::FixedArray>) {
  auto* iso = context->GetIsolate();
  Lock js(iso, context);
  v8::Local<v8::Promise::Resolver> resolver;
  if (!v8::Promise::Resolver::New(context).ToLocal(&resolver)) return {};
  try {
    auto& graph = of(iso);
    std::string referrer = resourceName->IsString() ? js.toString(resourceName) : std::string();
    Entry& target = graph.resolve(js, js.toString(specifier), referrer);
    auto module = graph.moduleFor(js, target);
    if (module->GetStatus() < v8::Module::kInstantiated)
      js.check(module->InstantiateModule(context, &ModuleGraph::resolveCallback));
    auto evaluated = js.check(module->Evaluate(context));
    auto ns = module->GetModuleNamespace();
    // Resolve with the namespace once evaluation (and any top-level await) finishes.
    if (evaluated->IsPromise()) {
      auto onDone = js.check(v8::Function::New(
          context, [](const v8::FunctionCallbackInfo<v8::Value>& i) { i.GetReturnValue().Set(i.Data()); }, ns));
      auto chained = js.check(evaluated.As<v8::Promise>()->Then(context, onDone));
      js.check(resolver->Resolve(context, chained));
    } else {
      js.check(resolver->Resolve(context, ns));
    }
  } catch (const JsError& err) {
    if (resolver->Reject(context, js.makeError(err)).IsNothing()) return {};
  } catch (const Pending&) {
    return {};
  }
  return resolver->GetPromise();
}

void ModuleGraph::installHooks(v8::Isolate* isolate) {
  isolate->SetHostImportModuleDynamicallyCallback(&ModuleGraph::dynamicImport);
}

v8::Local<v8::Promise> ModuleGraph::evaluate(Lock& js, const std::string& main) {
  Entry* e = find(main);
  if (!e) throw Error("The main module \"" + main + "\" is not one of the modules.");
  auto module = moduleFor(js, *e);
  js.check(module->InstantiateModule(js.context(), &ModuleGraph::resolveCallback));
  auto result = js.check(module->Evaluate(js.context()));
  if (!result->IsPromise()) throw Error("internal: module evaluation did not return a promise");
  return result.As<v8::Promise>();
}

v8::Local<v8::Object> ModuleGraph::namespaceOf(Lock& js, const std::string& name) {
  Entry* e = find(name);
  if (!e || e->module.IsEmpty()) throw Error("internal: module \"" + name + "\" is not loaded");
  return e->module.Get(js.isolate())->GetModuleNamespace().As<v8::Object>();
}

}  // namespace wisp::js
