// WorkerCode: the modules of a Worker and which one is main, validated with exactly the
// Worker Loader rules (shared/reference/dynamic-workers-api.md §1.4-1.5) and their error
// texts, plus wisp's own addition: TypeScript modules (.ts, .mts, .tsx) are accepted and
// transpiled (see transpiler.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "js/module.h"

namespace wisp::io {

// One entry of `modules` as the caller gave it, before typing.
struct ModuleInput {
  std::string name;
  // A plain string value: typed by the name's extension.
  std::optional<std::string> plain;
  // An object value: its keys with their contents (json already serialised; data/wasm bytes).
  std::vector<std::pair<std::string, std::string>> fields;
};

struct WorkerCode {
  std::string compatibilityDate;
  std::vector<std::string> compatibilityFlags;
  std::string mainModule;
  std::vector<js::ModuleSpec> modules;  // typed; TypeScript already transpiled to JS
  // For code read from disk: further modules are read from here when first imported.
  std::string diskRoot;
  // Classic scripts run in order at start instead of modules (the WPT harness uses this).
  std::vector<std::pair<std::string, std::string>> classicScripts;
};

// A Code Mode snippet as a Worker: its main module's default export is an async function of
// `env` that runs the normalised snippet (see transpiler.h) and returns its result.
WorkerCode snippetWorkerCode(const std::string& code);

// Reads and types one module file below `root` (for lazily loaded imports); nullopt if absent.
std::optional<js::ModuleSpec> loadModuleFromDisk(const std::string& root, const std::string& name);

// 64 MiB, "mirrors the documented paid Worker uncompressed size limit".
constexpr size_t kMaxCodeSize = 64u << 20;

// Types and checks the modules; throws js::JsError (TypeError / Error) with the documented text.
// Without `requireMain` (the Worker Loader), a main module that is not among them is not an error
// yet: as in workerd, the Worker then fails to start with "No such module: x.js".
WorkerCode buildWorkerCode(std::string mainModule, std::vector<ModuleInput> modules, bool requireMain = true);

// For `wisp run` / `wisp test`: a file (its imports are read from its folder when first
// imported), or a directory (main: package.json "main", else index.{js,mjs,ts},
// worker.{js,ts}, src/index.{js,ts}, src/worker.{js,ts}).
WorkerCode loadWorkerCodeFromPath(const std::string& path);

}  // namespace wisp::io
