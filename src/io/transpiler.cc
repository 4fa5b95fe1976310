#include "io/transpiler.h"

#include <memory>
#include <mutex>
#include <vector>

#include "js/isolate.h"
#include "js/promise.h"
#include "js/script.h"

extern "C" {
extern const char wisp_transpiler_js[];
extern const char wisp_transpiler_js_end[];
}

namespace wisp::io {
namespace {

struct Transpiler {
  std::mutex mutex;
  std::unique_ptr<js::Isolate> isolate;
};

Transpiler& shared() {
  static Transpiler t;
  return t;
}

// Calls one of the bundle's global functions in the shared transpiler isolate.
std::string callTranspiler(const char* function, const std::vector<std::string>& args, const std::string& what) {
  auto& t = shared();
  std::lock_guard lock(t.mutex);
  if (!t.isolate) {
    js::IsolateOptions options;
    options.heapLimitBytes = 256u << 20;
    auto isolate = js::Isolate::create(options);
    isolate->run([&](js::Lock& js) {
      js::runScript(js, "wisp:transpiler.js",
                    std::string_view(wisp_transpiler_js, static_cast<size_t>(wisp_transpiler_js_end - wisp_transpiler_js)));
    });
    t.isolate = std::move(isolate);
  }
  try {
    return t.isolate->run([&](js::Lock& js) { return js::callGlobalFunction(js, function, args); });
  } catch (const js::JsException& e) {
    throw js::SyntaxError(what + ": " + e.message());
  } catch (const js::Terminated& e) {
    t.isolate.reset();  // condemned: a fresh one next time
    throw js::Error("Transpiling " + what + " failed: " + e.what());
  }
}

}  // namespace

std::string transpile(const std::string& source, const std::string& filename) {
  return callTranspiler("wispTranspile", {source, filename}, filename);
}

std::string normalizeSnippet(const std::string& code) {
  return callTranspiler("wispNormalizeSnippet", {code, "true"}, "snippet");
}

}  // namespace wisp::io
