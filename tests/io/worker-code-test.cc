// WorkerCode typing and validation: every bad input gets the Worker Loader's documented error.
#include <gtest/gtest.h>

#include "io/worker-code.h"
#include "js/error.h"

namespace wisp::io {
namespace {

ModuleInput plain(std::string name, std::string src) { return {std::move(name), std::move(src), {}}; }
ModuleInput object(std::string name, std::vector<std::pair<std::string, std::string>> fields) {
  return {std::move(name), std::nullopt, std::move(fields)};
}

std::string errorOf(std::string main, std::vector<ModuleInput> modules) {
  try {
    buildWorkerCode(std::move(main), std::move(modules));
  } catch (const js::JsError& e) {
    return e.message();
  }
  return "no error";
}

TEST(WorkerCode, TypesModulesByExtensionAndObjectKey) {
  auto code = buildWorkerCode("main.js", {plain("main.js", "export default {}"), plain("lib.cjs", "module.exports = 1"),
                                          object("t.txt", {{"text", "hi"}}), object("d.bin", {{"data", "\x01\x02"}}),
                                          object("c.json", {{"json", "{\"a\":1}"}}), object("x.js", {{"cjs", "1"}})});
  ASSERT_EQ(code.modules.size(), 6u);
  EXPECT_EQ(code.modules[0].type, js::ModuleType::Esm);
  EXPECT_EQ(code.modules[1].type, js::ModuleType::Cjs);
  EXPECT_EQ(code.modules[2].type, js::ModuleType::Text);
  EXPECT_EQ(code.modules[3].type, js::ModuleType::Data);
  EXPECT_EQ(code.modules[4].type, js::ModuleType::Json);
  EXPECT_EQ(code.modules[5].type, js::ModuleType::Cjs);
}

TEST(WorkerCode, TypeScriptIsTranspiled) {
  auto code = buildWorkerCode("main.ts", {plain("main.ts", "const x: number = 1; export default { x } as const;")});
  EXPECT_EQ(code.modules[0].type, js::ModuleType::Esm);
  EXPECT_EQ(code.modules[0].content.find(": number"), std::string::npos);
  EXPECT_NE(code.modules[0].content.find("const x = 1"), std::string::npos);
}

TEST(WorkerCode, TypeScriptSyntaxErrorsNameTheFile) {
  EXPECT_NE(errorOf("main.ts", {plain("main.ts", "const x: = ;")}).find("main.ts"), std::string::npos);
}

TEST(WorkerCode, UnsupportedTypeScriptSyntaxIsNamed) {
  EXPECT_EQ(errorOf("main.ts", {plain("main.ts", "function log(t: any) {}\n@log class A {}\nexport default {};")}),
            "main.ts: Decorators are not supported (line 2).");
  EXPECT_EQ(errorOf("main.ts", {plain("main.ts", "{ using res = open(); }\nexport default {};")}),
            "main.ts: 'using' declarations are not supported (line 1).");
  // An identifier called `using` is fine, and so is an e-mail address in a string.
  EXPECT_EQ(errorOf("main.ts", {plain("main.ts", "const using = 1; const a = 'x@y.z'; export default { using, a };")}),
            "no error");
}

TEST(WorkerCode, RejectsUnknownExtensions) {
  EXPECT_EQ(errorOf("main.txt", {plain("main.txt", "x")}),
            "Module name must end with '.js' or '.py' (or the content must be an object indicating the type "
            "explicitly). Got: main.txt");
}

TEST(WorkerCode, ObjectsNeedExactlyOneType) {
  EXPECT_EQ(errorOf("a.js", {object("a.js", {{"js", "1"}, {"text", "2"}})}),
            "Each module must contain exactly one of 'js', 'cjs', 'text', 'data', 'json', 'py', or 'wasm'. Module "
            "'a.js' contained 2 properties.");
  EXPECT_EQ(errorOf("a.js", {object("a.js", {})}),
            "Each module must contain exactly one of 'js', 'cjs', 'text', 'data', 'json', 'py', or 'wasm'. Module "
            "'a.js' contained 0 properties.");
}

TEST(WorkerCode, KeysThatAreNoModuleTypeAreIgnored) {
  EXPECT_EQ(errorOf("a.js", {object("a.js", {{"source", "export default {}"}})}),
            "Each module must contain exactly one of 'js', 'cjs', 'text', 'data', 'json', 'py', or 'wasm'. Module "
            "'a.js' contained 0 properties.");
  EXPECT_EQ(errorOf("a.js", {object("a.js", {{"source", "x"}, {"js", "export default {}"}})}), "no error");
}

TEST(WorkerCode, NeedsAModuleAndAMain) {
  EXPECT_EQ(errorOf("a.js", {}), "Dynamic Worker code must contain at least one module.");
  EXPECT_EQ(errorOf("main.js", {plain("other.js", "")}), "The main module \"main.js\" is not one of the modules.");
  // The Worker Loader leaves that to the start, as workerd does.
  EXPECT_EQ(buildWorkerCode("main.js", {plain("other.js", "")}, false).mainModule, "main.js");
}

TEST(WorkerCode, PythonIsRefusedClearly) {
  EXPECT_EQ(errorOf("a.py", {plain("a.py", "print(1)")}), "Python modules are not supported by wisp. Got: a.py.");
}

TEST(WorkerCode, CodeSizeIsLimited) {
  std::string big(kMaxCodeSize + 1, 'x');
  EXPECT_EQ(errorOf("a.js", {object("a.js", {{"text", big}})}),
            "Dynamic Worker code size (67108865 bytes) exceeds the maximum allowed size of 67108864 bytes.");
}

}  // namespace
}  // namespace wisp::io
