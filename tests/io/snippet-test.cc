// Code Mode snippets: normalisation as @cloudflare/codemode does it, and running one in a fresh
// Worker with env, captured logs, errors and limits.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "io/transpiler.h"
#include "io/worker.h"
#include "js/error.h"

namespace wisp::io {
namespace {

TEST(Snippet, KeepsAnArrowFunction) {
  EXPECT_EQ(normalizeSnippet("async () => { return 1; }"), "async () => { return 1; }");
}

TEST(Snippet, StripsMarkdownFences) {
  EXPECT_EQ(normalizeSnippet("```js\nasync () => 2\n```"), "async () => 2");
  EXPECT_EQ(normalizeSnippet("```\nasync () => 3\n```"), "async () => 3");
}

TEST(Snippet, WrapsStatementsAndReturnsTheLastExpression) {
  EXPECT_EQ(normalizeSnippet("const r = await f({x: 1});\nr"), "async () => {\nconst r = await f({x: 1});\nreturn (r);\n}");
  EXPECT_EQ(normalizeSnippet("let a = 1;"), "async () => {\nlet a = 1;\n}");
}

TEST(Snippet, CallsALoneFunctionDeclaration) {
  EXPECT_EQ(normalizeSnippet("async function main() { return 4; }"),
            "async () => {\nasync function main() { return 4; }\nreturn main();\n}");
}

TEST(Snippet, UnwrapsExportDefault) {
  EXPECT_EQ(normalizeSnippet("export default async () => 5"), "async () => 5");
}

TEST(Snippet, EmptyCodeIsAnEmptyFunction) { EXPECT_EQ(normalizeSnippet("  "), "async () => {}"); }

TEST(Snippet, AcceptsTypeScript) {
  EXPECT_EQ(normalizeSnippet("const n: number = 6;\nn as number"), "async () => {\nconst n = 6;\nreturn (n);\n}");
}

TEST(Snippet, SyntaxErrorsAreReported) {
  try {
    normalizeSnippet("const = ;");
    FAIL();
  } catch (const js::JsError& e) {
    EXPECT_EQ(e.kind(), js::ErrorKind::SyntaxError);
    EXPECT_NE(std::string(e.what()).find("snippet: "), std::string::npos);
  }
}

ExecuteResult execute(const std::string& code, const std::string& env = "{}", Limits limits = {}) {
  boost::asio::io_context ioc;
  Worker::Options options;
  options.envJson = env;
  options.limits = limits;
  auto worker = Worker::create(ioc, snippetWorkerCode(code), options);
  ExecuteResult result;
  worker->start([&](std::optional<Failure> f) {
    if (f) {
      result.error = f;
      return;
    }
    worker->execute([&](ExecuteResult r) { result = std::move(r); });
  });
  ioc.run();
  return result;
}

TEST(Snippet, ReturnsTheResultAsJson) {
  auto r = execute("const u = new URL('https://a.example/x?y=1');\n({ host: u.host, y: u.searchParams.get('y') })");
  ASSERT_FALSE(r.error) << r.error->text();
  EXPECT_EQ(r.resultJson.value_or("?"), R"({"host":"a.example","y":"1"})");
}

TEST(Snippet, SeesEnvAndAwaitsTimers) {
  auto r = execute("await scheduler.wait(5); console.log('hi', env.name); env.name.toUpperCase()", R"({"name":"ada"})");
  ASSERT_FALSE(r.error) << r.error->text();
  EXPECT_EQ(r.resultJson.value_or("?"), "\"ADA\"");
  ASSERT_EQ(r.logs.size(), 1u);
  EXPECT_EQ(r.logs[0].message, "hi ada");
}

TEST(Snippet, UndefinedResultHasNoJson) {
  auto r = execute("let x = 1;");
  ASSERT_FALSE(r.error);
  EXPECT_FALSE(r.resultJson);
}

TEST(Snippet, ThrownErrorsComeBackAsErrors) {
  auto r = execute("throw new RangeError('nope')");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->name, "RangeError");
  EXPECT_EQ(r.error->message, "nope");
}

TEST(Snippet, UnserialisableResultIsAClearError) {
  auto r = execute("const a = {}; a.self = a; a");
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("The result could not be serialized as JSON"), std::string::npos);
}

TEST(Snippet, CpuLimitStopsASyncLoop) {
  Limits l;
  l.cpuMs = 50;
  auto r = execute("while (true) {}", "{}", l);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->message, "Worker exceeded CPU time limit.");
}

}  // namespace
}  // namespace wisp::io
