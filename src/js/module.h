// A Worker's module graph inside its isolate: ES modules, CommonJS, and synthetic modules for
// text, data, JSON, WebAssembly and the runtime's built-ins ("cloudflare:workers").
// Which WorkerCode entry becomes which kind is decided by io/worker-code.*; this file only
// maps kinds to V8.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "js/lock.h"
#include "js/v8.h"

namespace wisp::js {

enum class ModuleType { Esm, Cjs, Text, Data, Json, Wasm };

struct ModuleSpec {
  std::string name;     // e.g. "src/index.js"; relative imports resolve against it
  ModuleType type;
  std::string content;  // source text, raw bytes (Data, Wasm) or JSON text
};

class ModuleGraph {
 public:
  // `builtins` maps a specifier ("cloudflare:workers") to the key of an object in the
  // runtime's internals whose properties are that module's exports.
  // `fallback` may supply a module that is not in `modules` (wisp run reads them from disk).
  using Fallback = std::function<std::optional<ModuleSpec>(const std::string& name)>;
  ModuleGraph(std::vector<ModuleSpec> modules, std::map<std::string, std::string> builtins,
              Fallback fallback = nullptr);
  ~ModuleGraph();

  // Compiles, links and evaluates `main`. Returns the evaluation promise (top-level await);
  // once it has settled, namespaceOf(main) gives the exports. Compile and link errors throw.
  v8::Local<v8::Promise> evaluate(Lock& js, const std::string& main);
  v8::Local<v8::Object> namespaceOf(Lock& js, const std::string& name);

  // Installs the module hooks (dynamic import) on an isolate; once per isolate.
  static void installHooks(v8::Isolate* isolate);

 private:
  struct Entry;
  Entry* find(const std::string& name);
  Entry& resolve(Lock& js, const std::string& specifier, const std::string& referrer);
  v8::Local<v8::Module> moduleFor(Lock& js, Entry& e);
  v8::Local<v8::Value> cjsExports(Lock& js, Entry& e);
  v8::Local<v8::Value> requireValue(Lock& js, Entry& e);
  v8::Local<v8::Object> builtinObject(Lock& js, const std::string& key);
  Entry* byModule(v8::Local<v8::Module> m);
  static ModuleGraph& of(v8::Isolate* isolate);

  static v8::MaybeLocal<v8::Module> resolveCallback(v8::Local<v8::Context>, v8::Local<v8::String>,
                                                    v8::Local<v8::FixedArray>, v8::Local<v8::Module>);
  static v8::MaybeLocal<v8::Value> syntheticSteps(v8::Local<v8::Context>, v8::Local<v8::Module>);
  static void requireCallback(const v8::FunctionCallbackInfo<v8::Value>& info);
  static v8::MaybeLocal<v8::Promise> dynamicImport(v8::Local<v8::Context>, v8::Local<v8::Data>,
                                                   v8::Local<v8::Value>, v8::Local<v8::String>,
                                                   v8::Local<v8::FixedArray>);

  std::unordered_map<std::string, std::unique_ptr<Entry>> entries_;
  std::unordered_multimap<int, Entry*> byHash_;
  std::map<std::string, std::string> builtins_;
  Fallback fallback_;
};

}  // namespace wisp::js
