// `wisp serve` configuration: the three file formats, JSONC, defaults, warnings and every error.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/compatibility.h"
#include "server/config.h"

namespace wisp::server {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const fs::path kFixtures = fs::path(WISP_TEST_DATA) / "server" / "config";

// A config file name whose directory holds src/index.js, so `main` resolves.
fs::path fileIn(std::string_view format, std::string_view name) { return kFixtures / format / name; }

LoadedConfig parseToml(std::string_view text) { return parseConfig(text, ConfigFormat::Toml, fileIn("toml", "wrangler.toml")); }
LoadedConfig parseJson(std::string_view text) { return parseConfig(text, ConfigFormat::Jsonc, fileIn("jsonc", "wrangler.jsonc")); }

// The ConfigError message, with the fixture directory cut off the file name.
std::string errorOf(std::string_view text, ConfigFormat format) {
  try {
    auto file = format == ConfigFormat::Toml ? fs::path("wrangler.toml") : fs::path("wrangler.jsonc");
    parseConfig(text, format, file);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}
std::string tomlError(std::string_view text) { return errorOf(text, ConfigFormat::Toml); }
std::string jsonError(std::string_view text) { return errorOf(text, ConfigFormat::Jsonc); }

std::vector<std::string> messages(const std::vector<ConfigWarning>& warnings) {
  std::vector<std::string> out;
  for (const auto& w : warnings) out.push_back(w.message);
  return out;
}

// A scratch directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "wisp-config-XXXXXX").string();
    path = mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path); }
  void write(std::string_view name, std::string_view text) const {
    fs::create_directories((path / name).parent_path());
    std::ofstream(path / name) << text;
  }
};

// ---- the three formats ----

void expectFullExample(const LoadedConfig& loaded, std::string_view dir) {
  const Config& c = loaded.config;
  EXPECT_EQ(messages(loaded.warnings), std::vector<std::string>{});
  EXPECT_EQ(c.name, "my-host");
  EXPECT_EQ(c.main, (kFixtures / dir / "src" / "index.js").lexically_normal().string());
  EXPECT_EQ(c.compatibilityDate, "2025-06-01");
  EXPECT_EQ(c.compatibilityFlags, std::vector<std::string>{"nodejs_compat"});
  EXPECT_EQ(c.vars, json::parse(R"({"GREETING": "hello // not a comment",
                                    "FEATURES": {"beta": true, "maxItems": 10, "path": "/* kept */"}})"));
  ASSERT_EQ(c.workerLoaders.size(), 2u);
  EXPECT_EQ(c.workerLoaders[0].binding, "LOADER");
  EXPECT_EQ(c.workerLoaders[0].id, std::nullopt);
  EXPECT_EQ(c.workerLoaders[1].binding, "SHARED");
  EXPECT_EQ(c.workerLoaders[1].id, "shared");
  EXPECT_EQ(c.wisp.listen.toString(), "127.0.0.1:9000");
  EXPECT_EQ(c.wisp.threads, 4u);
  EXPECT_EQ(c.wisp.threadCount(), 4u);
  EXPECT_EQ(c.wisp.limits.cpuMs, 50);
  EXPECT_EQ(c.wisp.limits.wallMs, 30000);
  EXPECT_EQ(c.wisp.limits.heapMb, 64);
  EXPECT_EQ(c.wisp.limits.subrequests, 50u);
  EXPECT_EQ(c.wisp.poolSize, 3u);
  EXPECT_EQ(c.wisp.cache.maxWorkers, 500u);
  EXPECT_EQ(c.wisp.cache.maxMemoryMb, 1024u);
  EXPECT_EQ(c.wisp.cache.memoryBudgetBytes(), 1024u << 20);
  EXPECT_EQ(c.wisp.cache.idleSeconds, 60);
  EXPECT_EQ(c.wisp.maxHeaderBytes, 65536u);
  EXPECT_EQ(c.wisp.maxBodyBytes, 1048576u);
  EXPECT_EQ(c.wisp.apiToken, "s3cret-token");
}

TEST(Config, ReadsWranglerJsonc) {
  auto loaded = loadConfig(kFixtures / "jsonc");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->config.file, kFixtures / "jsonc" / "wrangler.jsonc");
  expectFullExample(*loaded, "jsonc");
}

TEST(Config, ReadsWranglerJson) {
  auto loaded = loadConfig(kFixtures / "json");
  ASSERT_TRUE(loaded);
  expectFullExample(*loaded, "json");
}

TEST(Config, ReadsWranglerToml) {
  auto loaded = loadConfig(kFixtures / "toml");
  ASSERT_TRUE(loaded);
  expectFullExample(*loaded, "toml");
}

TEST(Config, JsoncWinsOverJsonWinsOverToml) {
  auto loaded = loadConfig(kFixtures / "all");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->config.name, "from-jsonc");
  std::string dir = (kFixtures / "all").generic_string();
  EXPECT_EQ(messages(loaded->warnings),
            (std::vector<std::string>{dir + "/wrangler.json: not read, " + dir + "/wrangler.jsonc takes precedence",
                                      dir + "/wrangler.toml: not read, " + dir + "/wrangler.jsonc takes precedence"}));
  EXPECT_EQ(loaded->warnings[0].kind, ConfigWarning::Kind::IgnoredKey);

  TempDir tmp;
  tmp.write("wrangler.toml", "name = \"t\"");
  tmp.write("wrangler.json", "{\"name\": \"j\"}");
  EXPECT_EQ(loadConfig(tmp.path)->config.name, "j");
  fs::remove(tmp.path / "wrangler.json");
  EXPECT_EQ(loadConfig(tmp.path)->config.name, "t");
}

TEST(Config, NoConfigInTheDirectory) {
  TempDir tmp;
  EXPECT_EQ(loadConfig(tmp.path), std::nullopt);
}

TEST(Config, AcceptsAFilePath) {
  auto loaded = loadConfig(kFixtures / "all" / "wrangler.toml");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->config.name, "from-toml");
  EXPECT_TRUE(loaded->warnings.empty());

  TempDir tmp;
  tmp.write("config.yaml", "name: x");
  try {
    loadConfig(tmp.path / "config.yaml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), (tmp.path / "config.yaml").string() + ": expected a .jsonc, .json or .toml file");
  }
  try {
    loadConfig(tmp.path / "missing.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), (tmp.path / "missing.toml").string() + ": cannot read the file");
  }
}

// The full examples in docs/config.md load, and say the same thing.
TEST(Config, DocumentedExamplesAgree) {
  std::ifstream in(fs::path(WISP_TEST_DATA) / ".." / "docs" / "config.md");
  std::stringstream doc;
  doc << in.rdbuf();
  auto block = [&](std::string_view lang) {
    std::string text = doc.str(), open = "```" + std::string(lang) + "\n";
    size_t start = text.find(open);
    EXPECT_NE(start, std::string::npos) << lang;
    start += open.size();
    return text.substr(start, text.find("```", start) - start);
  };
  TempDir tmp;
  tmp.write("src/index.js", "export default {}");
  tmp.write("wrangler.jsonc", block("jsonc"));
  tmp.write("wrangler.toml", block("toml"));
  setenv("WISP_API_TOKEN", "example-token", 1);
  auto jsonc = loadConfig(tmp.path / "wrangler.jsonc");
  auto toml = loadConfig(tmp.path / "wrangler.toml");
  unsetenv("WISP_API_TOKEN");
  ASSERT_TRUE(jsonc && toml);
  EXPECT_TRUE(jsonc->warnings.empty()) << jsonc->warnings[0].message;
  EXPECT_TRUE(toml->warnings.empty()) << toml->warnings[0].message;
  const Config &a = jsonc->config, &b = toml->config;
  EXPECT_EQ(a.name, "my-host");
  EXPECT_EQ(a.main, b.main);
  EXPECT_EQ(a.compatibilityDate, b.compatibilityDate);
  EXPECT_EQ(a.compatibilityFlags, b.compatibilityFlags);
  EXPECT_EQ(a.vars, b.vars);
  ASSERT_EQ(a.workerLoaders.size(), 2u);
  ASSERT_EQ(b.workerLoaders.size(), 2u);
  EXPECT_EQ(a.workerLoaders[1].id, b.workerLoaders[1].id);
  EXPECT_EQ(a.wisp.listen.toString(), b.wisp.listen.toString());
  EXPECT_EQ(a.wisp.limits.toLimits().cpuMs, b.wisp.limits.toLimits().cpuMs);
  EXPECT_EQ(a.wisp.limits.toLimits().subrequests, b.wisp.limits.toLimits().subrequests);
  EXPECT_EQ(a.wisp.cache.maxWorkers, b.wisp.cache.maxWorkers);
  EXPECT_EQ(a.wisp.maxBodyBytes, b.wisp.maxBodyBytes);
  EXPECT_EQ(a.wisp.apiToken, "example-token");
  EXPECT_EQ(b.wisp.apiToken, "example-token");
}

// ---- JSONC ----

TEST(Jsonc, StripsCommentsOutsideStrings) {
  std::string in = R"({ // line comment
  "url": "https://example.com/a//b", /* block */ "c": "/* not a comment */",
  "quote": "a \"// still a string\" b" /* multi
  line */ }
)";
  std::string out = stripJsonc(in);
  EXPECT_EQ(out.size(), in.size());
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), std::count(in.begin(), in.end(), '\n'));
  EXPECT_EQ(json::parse(out), json::parse(R"({"url": "https://example.com/a//b", "c": "/* not a comment */",
                                               "quote": "a \"// still a string\" b"})"));
}

TEST(Jsonc, StripsTrailingCommas) {
  EXPECT_EQ(json::parse(stripJsonc(R"({"a": [1, 2, ], "b": {"c": 1,}, })")),
            json::parse(R"({"a": [1, 2], "b": {"c": 1}})"));
  // A comma before a comment before the bracket is still trailing.
  EXPECT_EQ(json::parse(stripJsonc("[1, // one\n /* end */ ]")), json::parse("[1]"));
  // A comma inside a string is not.
  EXPECT_EQ(json::parse(stripJsonc(R"(["a,", "]"])")), json::parse(R"(["a,", "]"])"));
  // Only one comma after a value is trailing; these stay invalid.
  for (std::string_view bad : {"[,]", "[1,,]", "{,}"}) EXPECT_FALSE(json::accept(stripJsonc(bad))) << bad;
}

TEST(Jsonc, UnterminatedBlockCommentNamesItsStart) {
  try {
    stripJsonc("{\n  \"a\": 1 /* never closed\n}", "wrangler.jsonc");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "wrangler.jsonc:2:10: unterminated /* comment");
  }
}

TEST(Jsonc, SyntaxErrorsKeepTheLineNumbersOfTheFile) {
  EXPECT_EQ(jsonError("// header\n/* two\nlines */\n{\n  \"name\": \"x\"\n  \"main\": \"y\"\n}"),
            "wrangler.jsonc:6:8: invalid JSON: syntax error while parsing object - unexpected string literal; "
            "expected '}'");  // the column where the unexpected token ends
  EXPECT_EQ(jsonError(""), "wrangler.jsonc:1:1: invalid JSON: syntax error while parsing value - unexpected end of "
                           "input; expected '[', '{', or a literal");
}

// ---- TOML ----

TEST(Toml, SyntaxErrorsNameLineAndColumn) {
  std::string e = tomlError("name = \"x\"\n[wisp\n");
  EXPECT_TRUE(e.starts_with("wrangler.toml:2:")) << e;
  EXPECT_NE(e.find("invalid TOML: "), std::string::npos) << e;
}

TEST(Toml, DatesBecomeStrings) {
  auto c = parseToml("compatibility_date = 2024-02-29\n[vars]\nWHEN = 1979-05-27T07:32:00Z\nAT = 07:32:00\n").config;
  EXPECT_EQ(c.compatibilityDate, "2024-02-29");
  EXPECT_EQ(c.vars, json::parse(R"({"WHEN": "1979-05-27T07:32:00Z", "AT": "07:32:00"})"));
}

TEST(Toml, NonFiniteNumbersAreRefused) {
  EXPECT_EQ(tomlError("[vars]\nX = nan\n"), "wrangler.toml: vars.X: expected a finite number, got nan");
  EXPECT_EQ(tomlError("[wisp.limits]\ncpuMs = inf\n"), "wrangler.toml: wisp.limits.cpuMs: expected a finite number, got inf");
}

// ---- defaults ----

TEST(Config, Defaults) {
  auto loaded = parseJson("{}");
  const Config& c = loaded.config;
  EXPECT_TRUE(loaded.warnings.empty());
  EXPECT_EQ(c.name, "jsonc");  // the config's directory
  EXPECT_EQ(c.main, "");
  EXPECT_EQ(c.compatibilityDate.size(), 10u);  // today (or the newest date wisp knows, if older)
  EXPECT_TRUE(c.compatibilityFlags.empty());
  EXPECT_EQ(c.vars, json::object());
  EXPECT_TRUE(c.workerLoaders.empty());

  const WispSettings& w = c.wisp;
  EXPECT_EQ(w.listen.host, "127.0.0.1");
  EXPECT_EQ(w.listen.port, 8787);
  EXPECT_EQ(w.threads, 0u);
  EXPECT_GE(w.threadCount(), 1u);
  io::Limits limits = w.limits.toLimits(), expected;
  EXPECT_EQ(limits.cpuMs, expected.cpuMs);
  EXPECT_EQ(limits.wallMs, expected.wallMs);
  EXPECT_EQ(limits.heapBytes, expected.heapBytes);
  EXPECT_EQ(limits.subrequests, expected.subrequests);
  EXPECT_EQ(w.poolSize, 2u);
  EXPECT_EQ(w.cache.maxWorkers, 10'000u);
  EXPECT_EQ(w.cache.maxMemoryMb, 0u);
  EXPECT_GT(w.cache.memoryBudgetBytes(), 0u);
  EXPECT_EQ(w.cache.idleSeconds, 300);
  EXPECT_EQ(w.maxHeaderBytes, 128u << 10);
  EXPECT_EQ(w.maxBodyBytes, 100u << 20);
  EXPECT_EQ(w.apiToken, "");

  // An empty TOML file is a valid, empty config too.
  EXPECT_TRUE(parseToml("").warnings.empty());
}

TEST(Config, LimitsConvertToIoLimits) {
  auto c = parseToml("[wisp.limits]\ncpuMs = 10.5\nwallMs = 20\nheapMb = 4\nsubrequests = 0\n").config;
  io::Limits l = c.wisp.limits.toLimits();
  EXPECT_EQ(l.cpuMs, 10.5);
  EXPECT_EQ(l.wallMs, 20);
  EXPECT_EQ(l.heapBytes, 4u << 20);
  EXPECT_EQ(l.subrequests, 0u);
}

TEST(Config, MissingCompatibilityDateWarnsWhenThereIsAMain) {
  auto loaded = parseToml("main = \"src/index.js\"");
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_EQ(loaded.warnings[0].kind, ConfigWarning::Kind::Default);
  EXPECT_EQ(loaded.warnings[0].path, "compatibility_date");
  std::string file = (kFixtures / "toml" / "wrangler.toml").generic_string();
  if (io::todayUtc() <= io::newestCompatibilityDate()) {
    EXPECT_EQ(loaded.config.compatibilityDate, io::todayUtc());
    EXPECT_EQ(loaded.warnings[0].message,
              file + ": compatibility_date: not set, using today's date (" + loaded.config.compatibilityDate + ")");
  } else {  // this wisp is older than today: the newest date it knows
    EXPECT_EQ(loaded.config.compatibilityDate, io::newestCompatibilityDate());
    EXPECT_EQ(loaded.warnings[0].message, file + ": compatibility_date: not set, using " +
                                              loaded.config.compatibilityDate + ", the newest date this wisp supports");
  }
}

TEST(Config, TodayIsAValidCompatibilityDate) {
  std::string today = parseToml("").config.compatibilityDate;
  EXPECT_EQ(parseToml("compatibility_date = \"" + today + "\"").config.compatibilityDate, today);
}

TEST(Config, CompatibilityFlagsAreDeduplicated) {
  EXPECT_EQ(parseToml("compatibility_flags = [\"a\", \"b_2\", \"a\"]").config.compatibilityFlags,
            (std::vector<std::string>{"a", "b_2"}));
}

// ---- warnings ----

TEST(Config, UnknownKeysWarnWithTheirPath) {
  auto loaded = parseToml(R"(
compatability_date = "2024-01-01"
nmae = "x"
something = 1
[[worker_loaders]]
binding = "LOADER"
name = "x"
[wisp]
listne = "8080"
[wisp.limits]
cpuMS = 5
cpu_ms = 5
[wisp.cache]
"max workers" = 3
)");
  std::string file = (kFixtures / "toml" / "wrangler.toml").generic_string();
  EXPECT_EQ(messages(loaded.warnings),
            (std::vector<std::string>{
                file + ": compatability_date: unknown key, ignored (did you mean compatibility_date?)",
                file + ": nmae: unknown key, ignored (did you mean name?)",
                file + ": something: unknown key, ignored",
                file + ": wisp.cache[\"max workers\"]: unknown key, ignored (did you mean maxWorkers?)",
                file + ": wisp.limits.cpuMS: unknown key, ignored (did you mean cpuMs?)",
                file + ": wisp.limits.cpu_ms: unknown key, ignored (did you mean cpuMs?)",
                file + ": wisp.listne: unknown key, ignored (did you mean listen?)",
                file + ": worker_loaders[0].name: unknown key, ignored",
            }));
  for (const auto& w : loaded.warnings) EXPECT_EQ(w.kind, ConfigWarning::Kind::UnknownKey);
  EXPECT_EQ(loaded.warnings[4].path, "wisp.limits.cpuMS");
  EXPECT_EQ(loaded.warnings[3].path, "wisp.cache[\"max workers\"]");
}

TEST(Config, WranglerKeysWispDoesNotUseAreIgnored) {
  auto loaded = parseJson(R"({
    "$schema": "node_modules/wrangler/config-schema.json",
    "account_id": "abc", "routes": ["example.com/*"], "observability": {"enabled": true},
    "kv_namespaces": [{"binding": "KV", "id": "x"}], "limits": {"cpu_ms": 50}, "dev": {"port": 1},
  })");
  ASSERT_EQ(loaded.warnings.size(), 6u);
  for (const auto& w : loaded.warnings) EXPECT_EQ(w.kind, ConfigWarning::Kind::IgnoredKey) << w.message;
  std::vector<std::string> paths;
  for (const auto& w : loaded.warnings) paths.push_back(w.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"account_id", "dev", "kv_namespaces", "limits", "observability", "routes"}));
  std::string file = (kFixtures / "jsonc" / "wrangler.jsonc").generic_string();
  EXPECT_EQ(loaded.warnings[0].message, file + ": account_id: not used by wisp, ignored");
  EXPECT_EQ(loaded.warnings[3].message, file + ": limits: not used by wisp, ignored (wisp reads wisp.limits)");
}

// ---- errors: every message names the file, the key path and what was expected ----

struct ErrorCase {
  std::string_view toml;
  std::string message;
};

TEST(ConfigErrors, EveryInvalidValue) {
  const ErrorCase cases[] = {
      {"name = 1", "wrangler.toml: name: expected a non-empty string, got 1"},
      {"name = \"\"", "wrangler.toml: name: expected a non-empty string, got \"\""},
      {"main = true", "wrangler.toml: main: expected a path to the Worker's main module, got true"},
      // workerd's rules and words, as for a dynamic Worker's compatibilityDate.
      {"compatibility_date = \"2024-1-1\"", "wrangler.toml: compatibility_date: Invalid compatibility date: 2024-1-1"},
      {"compatibility_date = 20240101", "wrangler.toml: compatibility_date: expected a date as YYYY-MM-DD, got 20240101"},
      {"compatibility_date = \"1999-12-31\"", "wrangler.toml: compatibility_date: Invalid compatibility date: 1999-12-31"},
      {"compatibility_date = \"2024-13-01\"", "wrangler.toml: compatibility_date: Invalid compatibility date: 2024-13-01"},
      {"compatibility_date = \"2999-01-01\"",
       "wrangler.toml: compatibility_date: This Worker requires compatibility date \"2999-01-01\", but the newest date "
       "supported by this server binary is \"" + std::string(io::newestCompatibilityDate()) + "\"."},
      {"compatibility_flags = \"nodejs_compat\"",
       "wrangler.toml: compatibility_flags: expected an array of flag names, got \"nodejs_compat\""},
      {"compatibility_flags = [\"ok\", \"Not-OK\"]",
       "wrangler.toml: compatibility_flags[1]: expected a flag name (lowercase letters, digits and _), got \"Not-OK\""},
      {"vars = \"x\"", "wrangler.toml: vars: expected a table of JSON values, got \"x\""},
      {"vars = [1]", "wrangler.toml: vars: expected a table of JSON values, got an array"},
      {"worker_loaders = { binding = \"L\" }",
       "wrangler.toml: worker_loaders: expected an array of tables with a binding, got a table"},
      {"worker_loaders = [\"LOADER\"]", "wrangler.toml: worker_loaders[0]: expected a table, got \"LOADER\""},
      {"[[worker_loaders]]\nid = \"x\"",
       "wrangler.toml: worker_loaders[0].binding: expected a JavaScript identifier naming the env property, got nothing"},
      {"[[worker_loaders]]\nbinding = \"my-loader\"",
       "wrangler.toml: worker_loaders[0].binding: expected a JavaScript identifier (letters, digits, _ or $, not a "
       "reserved word), got \"my-loader\""},
      {"[[worker_loaders]]\nbinding = \"1LOADER\"",
       "wrangler.toml: worker_loaders[0].binding: expected a JavaScript identifier (letters, digits, _ or $, not a "
       "reserved word), got \"1LOADER\""},
      {"[[worker_loaders]]\nbinding = \"class\"",
       "wrangler.toml: worker_loaders[0].binding: expected a JavaScript identifier (letters, digits, _ or $, not a "
       "reserved word), got \"class\""},
      {"[[worker_loaders]]\nbinding = \"L\"\nid = \"\"", "wrangler.toml: worker_loaders[0].id: expected a non-empty string, got \"\""},
      {"[[worker_loaders]]\nbinding = \"L\"\n[[worker_loaders]]\nbinding = \"L\"",
       "wrangler.toml: worker_loaders[1].binding: duplicate binding name \"L\" (also worker_loaders[0].binding)"},
      {"vars = { L = 1 }\n[[worker_loaders]]\nbinding = \"L\"",
       "wrangler.toml: worker_loaders[0].binding: duplicate binding name \"L\" (also vars.L)"},
      {"wisp = 1", "wrangler.toml: wisp: expected a table, got 1"},
      {"[wisp]\nlisten = true",
       "wrangler.toml: wisp.listen: expected an address as \"host:port\", \"[ipv6]:port\", \"host\" or a port number, got true"},
      {"[wisp]\nlisten = \"::1:8787\"",
       "wrangler.toml: wisp.listen: expected an address as \"host:port\", \"[ipv6]:port\", \"host\" or a port number, got "
       "\"::1:8787\" (an IPv6 address needs brackets, as in [::1]:8787)"},
      {"[wisp]\nlisten = \"localhost:99999\"",
       "wrangler.toml: wisp.listen: expected an address as \"host:port\", \"[ipv6]:port\", \"host\" or a port number, got "
       "\"localhost:99999\" (the port must be from 0 to 65535)"},
      {"[wisp]\nlisten = 70000", "wrangler.toml: wisp.listen: expected a port number from 0 to 65535, got 70000"},
      {"[wisp]\nthreads = -1", "wrangler.toml: wisp.threads: expected a whole number from 0 to 1024 (0: one per core), got -1"},
      {"[wisp]\nthreads = 1.5", "wrangler.toml: wisp.threads: expected a whole number from 0 to 1024 (0: one per core), got 1.5"},
      {"[wisp]\nthreads = \"4\"", "wrangler.toml: wisp.threads: expected a whole number from 0 to 1024 (0: one per core), got \"4\""},
      {"[wisp]\nlimits = 5", "wrangler.toml: wisp.limits: expected a table, got 5"},
      {"[wisp.limits]\ncpuMs = \"fast\"", "wrangler.toml: wisp.limits.cpuMs: expected a positive number, got \"fast\""},
      {"[wisp.limits]\ncpuMs = 0", "wrangler.toml: wisp.limits.cpuMs: expected a positive number, got 0"},
      {"[wisp.limits]\nwallMs = -5", "wrangler.toml: wisp.limits.wallMs: expected a positive number, got -5"},
      {"[wisp.limits]\nheapMb = 2", "wrangler.toml: wisp.limits.heapMb: expected a number of MiB from 4 to 65536, got 2"},
      {"[wisp.limits]\nsubrequests = 5000000000",
       "wrangler.toml: wisp.limits.subrequests: expected a whole number from 0 to 4294967295, got 5000000000"},
      {"[wisp]\npoolSize = 2000", "wrangler.toml: wisp.poolSize: expected a whole number from 0 to 1024, got 2000"},
      {"[wisp.cache]\nmaxWorkers = 0", "wrangler.toml: wisp.cache.maxWorkers: expected a whole number from 1 to 10000000, got 0"},
      {"[wisp.cache]\nmaxMemoryMb = -1",
       "wrangler.toml: wisp.cache.maxMemoryMb: expected a whole number of MiB (0: half of the available memory), got -1"},
      {"[wisp.cache]\nidleSeconds = -1",
       "wrangler.toml: wisp.cache.idleSeconds: expected a number of seconds, 0 or more (0: never expire), got -1"},
      {"[wisp]\nmaxHeaderBytes = 100",
       "wrangler.toml: wisp.maxHeaderBytes: expected a whole number of bytes from 1024 to 16777216, got 100"},
      {"[wisp]\nmaxBodyBytes = \"1MB\"", "wrangler.toml: wisp.maxBodyBytes: expected a whole number of bytes, 0 or more, got \"1MB\""},
      {"[wisp]\napiToken = \"has space\"",
       "wrangler.toml: wisp.apiToken: expected a token of visible ASCII characters (no spaces), got \"has space\""},
      {"[wisp]\napiToken = \"\"", "wrangler.toml: wisp.apiToken: expected a token of visible ASCII characters (no spaces), got \"\""},
      {"[wisp]\napiToken = \"a\"\napiTokenEnv = \"B\"",
       "wrangler.toml: wisp.apiTokenEnv: expected either wisp.apiToken or wisp.apiTokenEnv, not both"},
      {"[wisp]\napiTokenEnv = \"not a name\"",
       "wrangler.toml: wisp.apiTokenEnv: expected the name of an environment variable, got \"not a name\""},
      {"[wisp]\napiTokenEnv = \"WISP_CONFIG_TEST_UNSET\"",
       "wrangler.toml: wisp.apiTokenEnv: environment variable WISP_CONFIG_TEST_UNSET is not set"},
      {"[wisp]\nlisten = \"0.0.0.0:8787\"",
       "wrangler.toml: wisp.apiToken: expected a token (or wisp.apiTokenEnv): the built-in API listens on 0.0.0.0:8787, "
       "which is not a loopback address"},
  };
  for (const auto& c : cases) EXPECT_EQ(tomlError(c.toml), c.message) << c.toml;
}

TEST(ConfigErrors, JsonUsesJsonWords) {
  EXPECT_EQ(jsonError("[]"), "wrangler.jsonc: expected an object at the top level, got an array");
  EXPECT_EQ(jsonError(R"({"wisp": {"limits": {"cpuMs": "fast"}}})"),
            "wrangler.jsonc: wisp.limits.cpuMs: expected a positive number, got \"fast\"");
  EXPECT_EQ(jsonError(R"({"vars": null})"), "wrangler.jsonc: vars: expected an object of JSON values, got null");
  EXPECT_EQ(jsonError(R"({"worker_loaders": {}})"),
            "wrangler.jsonc: worker_loaders: expected an array of objects with a binding, got an object");
  std::string future = jsonError(R"({"compatibility_date": "2999-01-01"})");
  EXPECT_TRUE(future.starts_with("wrangler.jsonc: compatibility_date: This Worker requires compatibility date")) << future;
  // Long strings are cut in messages.
  EXPECT_EQ(jsonError(R"({"wisp": {"limits": {"cpuMs": ")" + std::string(100, 'x') + R"("}}})"),
            "wrangler.jsonc: wisp.limits.cpuMs: expected a positive number, got \"" + std::string(57, 'x') + "...\"");
}

TEST(ConfigErrors, MainMustExist) {
  std::string file = (kFixtures / "toml" / "wrangler.toml").generic_string();
  try {
    parseToml("main = \"src/missing.js\"");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), file + ": main: expected a path to an existing file, got \"src/missing.js\" (no such file: " +
                                         (kFixtures / "toml" / "src" / "missing.js").string() + ")");
  }
  try {
    parseToml("main = \"src\"");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), file + ": main: expected a path to an existing file, got \"src\" (not a regular file: " +
                                         (kFixtures / "toml" / "src").string() + ")");
  }
  // Relative to the config's directory, not the working directory.
  EXPECT_EQ(parseToml("main = \"./src/../src/index.js\"").config.main, (kFixtures / "toml" / "src" / "index.js").string());
}

// ---- listen addresses and tokens ----

TEST(Listen, Forms) {
  auto parse = [](std::string_view s) {
    auto a = parseListenAddress(s);
    return a ? a->host + " " + std::to_string(a->port) : std::string("invalid");
  };
  EXPECT_EQ(parse("127.0.0.1:8787"), "127.0.0.1 8787");
  EXPECT_EQ(parse("0.0.0.0:80"), "0.0.0.0 80");
  EXPECT_EQ(parse("[::1]:8787"), "::1 8787");
  EXPECT_EQ(parse("[::]"), ":: 8787");
  EXPECT_EQ(parse("9000"), "127.0.0.1 9000");
  EXPECT_EQ(parse("0"), "127.0.0.1 0");
  EXPECT_EQ(parse("localhost"), "localhost 8787");
  EXPECT_EQ(parse("my-host.internal:1234"), "my-host.internal 1234");
  for (std::string_view bad : {"", ":80", "host:", "[::1]:", "[::1", "[nope]:80", "1.2.3:80", "1.2.3.4.5", "-x:80",
                               "a b:80", "::1", "host:80:80", "host:+80", "99999", "[::1]x"})
    EXPECT_EQ(parse(bad), "invalid") << bad;

  std::string reason;
  EXPECT_FALSE(parseListenAddress("1.2.3:80", &reason));
  EXPECT_EQ(reason, "not an IPv4 address");
}

TEST(Listen, LoopbackAndToString) {
  auto loopback = [](std::string_view s) { return parseListenAddress(s)->isLoopback(); };
  EXPECT_TRUE(loopback("127.0.0.1:1"));
  EXPECT_TRUE(loopback("127.1.2.3:1"));
  EXPECT_TRUE(loopback("[::1]:1"));
  EXPECT_TRUE(loopback("[::ffff:127.0.0.1]:1"));
  EXPECT_TRUE(loopback("LocalHost:1"));
  EXPECT_FALSE(loopback("0.0.0.0:1"));
  EXPECT_FALSE(loopback("[::]:1"));
  EXPECT_FALSE(loopback("10.0.0.1:1"));
  EXPECT_FALSE(loopback("example.com:1"));
  EXPECT_EQ(parseListenAddress("[::1]:8787")->toString(), "[::1]:8787");
  EXPECT_EQ(parseListenAddress("8080")->toString(), "127.0.0.1:8080");
}

TEST(Listen, ConfigAcceptsEveryForm) {
  EXPECT_EQ(parseToml("[wisp]\nlisten = 9001").config.wisp.listen.toString(), "127.0.0.1:9001");
  EXPECT_EQ(parseToml("[wisp]\nlisten = \"9001\"").config.wisp.listen.toString(), "127.0.0.1:9001");
  EXPECT_EQ(parseToml("[wisp]\nlisten = \"[::1]:9001\"").config.wisp.listen.toString(), "[::1]:9001");
  // A public address is fine with a token, or when a user's Worker (main) is served.
  EXPECT_EQ(parseToml("[wisp]\nlisten = \"0.0.0.0:80\"\napiToken = \"t\"").config.wisp.listen.toString(), "0.0.0.0:80");
  EXPECT_EQ(parseToml("main = \"src/index.js\"\ncompatibility_date = \"2025-01-01\"\n[wisp]\nlisten = \"0.0.0.0:80\"")
                .config.wisp.apiToken,
            "");
}

TEST(Config, ApiTokenFromTheEnvironment) {
  setenv("WISP_CONFIG_TEST_TOKEN", "from-env-123", 1);
  EXPECT_EQ(parseToml("[wisp]\napiTokenEnv = \"WISP_CONFIG_TEST_TOKEN\"").config.wisp.apiToken, "from-env-123");
  setenv("WISP_CONFIG_TEST_TOKEN", "two words", 1);
  EXPECT_EQ(tomlError("[wisp]\napiTokenEnv = \"WISP_CONFIG_TEST_TOKEN\""),
            "wrangler.toml: wisp.apiTokenEnv: environment variable WISP_CONFIG_TEST_TOKEN: expected a token of visible "
            "ASCII characters (no spaces)");
  unsetenv("WISP_CONFIG_TEST_TOKEN");
}

TEST(Config, VarsKeepAnyJsonValue) {
  auto c = parseJson(R"({"vars": {"S": "s", "N": 1.5, "B": false, "Z": null, "A": [1, {"x": []}], "O": {"k": "v"},
                                  "odd key": 1}})").config;
  EXPECT_EQ(c.vars["A"], json::parse(R"([1, {"x": []}])"));
  EXPECT_EQ(c.vars["Z"], nullptr);
  EXPECT_EQ(c.vars["odd key"], 1);
}

}  // namespace
}  // namespace wisp::server
