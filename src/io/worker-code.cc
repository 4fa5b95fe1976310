#include "io/worker-code.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "io/transpiler.h"
#include "js/error.h"

namespace wisp::io {
namespace fs = std::filesystem;
using js::ModuleType;

namespace {

bool endsWith(const std::string& s, const char* suffix) { return s.ends_with(suffix); }

bool isTypeScript(const std::string& name) {
  return endsWith(name, ".ts") || endsWith(name, ".mts") || endsWith(name, ".tsx") || endsWith(name, ".cts");
}

// The keys of an object module that give its type; `ts` is wisp's own (TypeScript, transpiled).
bool isModuleTypeKey(const std::string& key) {
  for (const char* k : {"js", "cjs", "text", "data", "json", "py", "wasm", "ts"})
    if (key == k) return true;
  return false;
}

js::ModuleSpec typeModule(const ModuleInput& in) {
  if (in.plain) {
    const std::string& n = in.name;
    if (endsWith(n, ".js") || endsWith(n, ".mjs")) return {n, ModuleType::Esm, *in.plain};
    if (endsWith(n, ".cjs")) return {n, ModuleType::Cjs, *in.plain};
    if (isTypeScript(n) || endsWith(n, ".jsx")) return {n, ModuleType::Esm, transpile(*in.plain, n)};
    if (endsWith(n, ".py")) throw js::TypeError("Python modules are not supported by wisp. Got: " + n + ".");
    throw js::TypeError(
        "Module name must end with '.js' or '.py' (or the content must be an object indicating the type "
        "explicitly). Got: " + n);
  }
  // Keys that are not a module type are ignored, as in workerd ({source: "..."} has none).
  std::vector<const std::pair<std::string, std::string>*> typed;
  for (const auto& field : in.fields)
    if (isModuleTypeKey(field.first)) typed.push_back(&field);
  if (typed.size() != 1) {
    throw js::TypeError(
        "Each module must contain exactly one of 'js', 'cjs', 'text', 'data', 'json', 'py', or 'wasm'. Module '" +
        in.name + "' contained " + std::to_string(typed.size()) + " properties.");
  }
  const auto& [key, content] = *typed[0];
  if (key == "js") return {in.name, ModuleType::Esm, isTypeScript(in.name) ? transpile(content, in.name) : content};
  if (key == "ts") return {in.name, ModuleType::Esm, transpile(content, in.name)};
  if (key == "cjs") return {in.name, ModuleType::Cjs, content};
  if (key == "text") return {in.name, ModuleType::Text, content};
  if (key == "data") return {in.name, ModuleType::Data, content};
  if (key == "json") return {in.name, ModuleType::Json, content};
  if (key == "wasm") return {in.name, ModuleType::Wasm, content};
  throw js::TypeError("Python modules are not supported by wisp. Got: " + in.name + ".");
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw js::Error("Cannot read " + p.string() + ".");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

WorkerCode buildWorkerCode(std::string mainModule, std::vector<ModuleInput> modules, bool requireMain) {
  if (modules.empty()) throw js::TypeError("Dynamic Worker code must contain at least one module.");
  size_t total = 0;
  for (auto& m : modules) {
    if (m.plain) total += m.plain->size();
    for (auto& f : m.fields) total += f.second.size();
  }
  if (total > kMaxCodeSize) {
    throw js::Error("Dynamic Worker code size (" + std::to_string(total) +
                    " bytes) exceeds the maximum allowed size of " + std::to_string(kMaxCodeSize) + " bytes.");
  }
  WorkerCode code;
  bool found = false;
  for (auto& m : modules) {
    if (m.name.empty()) throw js::TypeError("Module names must not be empty.");
    if (m.name == mainModule) found = true;
    code.modules.push_back(typeModule(m));
  }
  if (!found && requireMain) {
    throw js::TypeError("The main module \"" + mainModule + "\" is not one of the modules.");
  }
  code.mainModule = std::move(mainModule);
  return code;
}

namespace {

ModuleInput inputFromFile(const fs::path& file, const std::string& name) {
  auto ext = file.extension().string();
  std::string content = readFile(file);
  ModuleInput in{name, std::nullopt, {}};
  if (ext == ".js" || ext == ".mjs" || ext == ".cjs" || ext == ".ts" || ext == ".mts" || ext == ".cts" ||
      ext == ".tsx" || ext == ".jsx")
    in.plain = std::move(content);
  else if (ext == ".json")
    in.fields.push_back({"json", std::move(content)});
  else if (ext == ".wasm")
    in.fields.push_back({"wasm", std::move(content)});
  else if (ext == ".txt" || ext == ".html" || ext == ".md" || ext == ".css" || ext == ".svg")
    in.fields.push_back({"text", std::move(content)});
  else
    in.fields.push_back({"data", std::move(content)});
  return in;
}

}  // namespace

WorkerCode snippetWorkerCode(const std::string& code) {
  std::string fn = normalizeSnippet(code);
  std::string source = "export default async function (env) { return await (" + fn + "\n)(); }\n";
  return buildWorkerCode("snippet.js", {ModuleInput{"snippet.js", source, {}}});
}

std::optional<js::ModuleSpec> loadModuleFromDisk(const std::string& root, const std::string& name) {
  if (name.find("..") != std::string::npos || name.starts_with("/")) return std::nullopt;
  fs::path file = fs::path(root) / name;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  return typeModule(inputFromFile(file, name));
}

WorkerCode loadWorkerCodeFromPath(const std::string& path) {
  fs::path p(path);
  std::error_code ec;
  if (!fs::exists(p, ec)) throw js::Error("No such file or directory: " + path);
  if (fs::is_regular_file(p)) {
    auto main = p.filename().string();
    std::vector<ModuleInput> inputs;
    inputs.push_back(inputFromFile(p, main));
    auto code = buildWorkerCode(main, std::move(inputs));
    code.diskRoot = p.parent_path().empty() ? "." : p.parent_path().string();
    return code;
  }
  std::vector<ModuleInput> inputs;
  for (auto it = fs::recursive_directory_iterator(p, ec); it != fs::recursive_directory_iterator(); ++it) {
    auto fname = it->path().filename().string();
    if (fname == "node_modules" || fname.starts_with(".")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && fname != "package.json" && !fname.starts_with("wrangler."))
      inputs.push_back(inputFromFile(it->path(), fs::relative(it->path(), p).generic_string()));
  }
  std::string main;
  if (fs::exists(p / "package.json")) {
    auto pkg = nlohmann::json::parse(readFile(p / "package.json"), nullptr, false);
    if (pkg.is_object() && pkg.contains("main") && pkg["main"].is_string()) main = pkg["main"].get<std::string>();
  }
  if (main.starts_with("./")) main = main.substr(2);
  for (const char* candidate : {"index.js", "index.mjs", "index.ts", "worker.js", "worker.ts", "src/index.js",
                                "src/index.ts", "src/worker.js", "src/worker.ts"}) {
    if (!main.empty()) break;
    if (fs::exists(p / candidate)) main = candidate;
  }
  if (main.empty())
    throw js::Error("Cannot find the main module in " + path +
                    " (looked for package.json \"main\", index.js, index.ts, worker.js, src/index.js, ...).");
  return buildWorkerCode(main, std::move(inputs));
}

}  // namespace wisp::io
