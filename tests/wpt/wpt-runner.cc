// wisp-wpt: runs Web Platform Tests (*.any.js) inside wisp Workers with the real
// resources/testharness.js, one fresh Worker per test file and variant, and prints one JSON line
// per run on stdout:
//   {"file":"url/url-setters.any.js","variant":"?include=file","status":"OK","message":null,
//    "tests":[{"name":"...","status":"PASS","message":null},...],"ms":41}
// or {"file":...,"skipped":"global=window"} for files no worker-like global runs.
// Statuses are testharness.js's; a run that never completes, breaches a limit or throws at top
// level gets harness status TIMEOUT or ERROR and the next file runs regardless.
//
// The Worker's classic scripts, in order (see README "Running it" in the WPT folder):
//   config (test URL, title, fetchable files)  prelude.js  testharness.js  attach
//   META script= files  the test  loaded (calls done())
// Files named *.sub.* get wptserve's substitutions ({{host}}, {{ports[http][0]}}, ...) first.
// The test Worker's fetch() goes to a second Worker, server.js (its global outbound), which
// stands in for wptserve: it serves the test's resource files (see prelude.js).
// tests/wpt/run.py drives this binary and compares the results with expectations/.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "api/global-scope.h"
#include "io/worker.h"
#include "js/class.h"
#include "js/engine.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace wisp::wpt {
namespace {

const std::string kHost = "web-platform.test";
const std::string kOrigin = "http://" + kHost + ":8000";
const std::string kMark = "@@wisp-wpt@@";
constexpr size_t kMaxResourceBytes = 4u << 20;
constexpr size_t kMaxUncaught = 5;

const char* const kTestStatus[] = {"PASS", "FAIL", "TIMEOUT", "NOTRUN", "PRECONDITION_FAILED"};
const char* const kHarnessStatus[] = {"OK", "ERROR", "TIMEOUT", "PRECONDITION_FAILED"};

std::optional<std::string> readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool isUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t extra = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 4;
    if (extra == 4 || i + extra >= s.size() + (extra == 0 ? 1 : 0)) return false;  // bad lead or cut short
    for (size_t k = 1; k <= extra; k++)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

std::string base64(const std::string& in) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    size_t n = std::min<size_t>(3, in.size() - i);
    uint32_t v = 0;
    for (size_t k = 0; k < 3; k++) v = v << 8 | (k < n ? static_cast<uint8_t>(in[i + k]) : 0);
    for (size_t k = 0; k < 4; k++) out += k <= n ? abc[(v >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

// The `// META: key=value` lines of a test file.
struct Meta {
  std::vector<std::string> scripts, variants, globals;
  std::string title;
};

Meta parseMeta(const std::string& source) {
  static const std::regex line(R"(^//\s*META:\s*(\w+)=(.*?)\s*$)");
  Meta meta;
  std::istringstream in(source);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (!l.starts_with("//") || !std::regex_match(l, m, line)) continue;
    std::string key = m[1], value = m[2];
    if (key == "script") meta.scripts.push_back(value);
    else if (key == "variant") meta.variants.push_back(value);
    else if (key == "title") meta.title = value;
    else if (key == "global") {
      std::stringstream list(value);
      for (std::string g; std::getline(list, g, ',');) {
        g.erase(0, g.find_first_not_of(' '));
        g.erase(g.find_last_not_of(' ') + 1);
        if (!g.empty()) meta.globals.push_back(g);
      }
    }
  }
  return meta;
}

// Without META global=, .any.js files run in a window and a dedicated worker. wisp is a
// worker-like shell, so it runs every file that names any worker, a shadow realm or jsshell.
bool runsHere(const Meta& meta) {
  if (meta.globals.empty()) return true;
  for (auto& g : meta.globals)
    if (g.find("worker") != std::string::npos || g.starts_with("shadowrealm") || g == "jsshell") return true;
  return false;
}

// A path as the test's URL names it ("/x/y" from the root, else relative to `dir`), made
// relative to the WPT root; empty if it leaves the root.
std::string resolve(const std::string& dir, std::string ref) {
  ref = ref.substr(0, ref.find_first_of("?#"));
  fs::path p = ref.starts_with("/") ? fs::path(ref.substr(1)) : fs::path(dir) / ref;
  auto normal = p.lexically_normal().generic_string();
  if (normal.empty() || normal.starts_with("..") || normal.starts_with("/")) return "";
  return normal;
}

// wptserve's template substitutions in *.sub.* files, for the names the subset uses: the
// hosts and ports of a WPT server at kOrigin (which this harness only pretends to have).
std::string substitute(const std::string& path, std::string text) {
  if (fs::path(path).filename().string().find(".sub.") == std::string::npos) return text;
  static const std::map<std::string, std::string> values = {
      {"host", kHost},
      {"domains[www]", "www." + kHost},
      {"domains[www1]", "www1." + kHost},
      {"domains[www2]", "www2." + kHost},
      {"hosts[alt][]", "not-" + kHost},
      {"ports[http][0]", "8000"},
      {"ports[http][1]", "8001"},
      {"ports[https][0]", "8443"},
      {"ports[https][1]", "8444"},
  };
  std::string out;
  size_t at = 0;
  for (size_t open; (open = text.find("{{", at)) != std::string::npos;) {
    size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    auto it = values.find(text.substr(open + 2, close - open - 2));
    out += text.substr(at, open - at);
    out += it != values.end() ? it->second : text.substr(open, close + 2 - open);
    at = close + 2;
  }
  return out + text.substr(at);
}

// The files a test may fetch(): the test itself, JSON beside it (its resources/ folder) and beside its
// META scripts, the IDL files when it uses idlharness.js, and every path-like string literal
// in its sources that names an existing file. Keys are absolute paths ("/url/resources/x.json").
class Resources {
 public:
  explicit Resources(fs::path root) : root_(std::move(root)) {}

  void addFolder(const std::string& dir, const std::string& extension) {
    std::error_code ec;
    for (auto& entry : fs::directory_iterator(root_ / dir, ec)) {
      if (entry.is_regular_file(ec) && entry.path().extension() == extension)
        add(fs::path(dir).append(entry.path().filename().string()).generic_string());
    }
  }

  void addLiterals(const std::string& dir, const std::string& source) {
    static const std::regex literal(R"re(["'`]([^"'`\s<>{}()]+\.[A-Za-z0-9]{1,5})["'`])re");
    for (std::sregex_iterator it(source.begin(), source.end(), literal), end; it != end; ++it) {
      std::string ref = (*it)[1];
      if (ref.find("://") != std::string::npos || ref.starts_with("data:")) continue;
      if (auto path = resolve(dir, ref); !path.empty()) add(path);
    }
  }

  void addFile(const std::string& path) { add(path); }

  json config(const std::string& url, const std::string& title) const {
    json files = json::object(), binary = json::object();
    for (auto& [path, content] : files_) {
      if (isUtf8(content)) files["/" + path] = content;
      else binary["/" + path] = base64(content);
    }
    return {{"url", url}, {"title", title}, {"files", files}, {"binary", binary}};
  }

 private:
  void add(const std::string& path) {
    if (files_.count(path)) return;
    std::error_code ec;
    auto full = root_ / path;
    if (!fs::is_regular_file(full, ec) || fs::file_size(full, ec) > kMaxResourceBytes) return;
    if (auto content = readFile(full)) files_[path] = std::move(*content);
  }

  fs::path root_;
  std::map<std::string, std::string> files_;
};

struct Settings {
  fs::path root;
  std::string prelude;
  std::string server;  // server.js
  std::string testharness;
  double timeoutMs = 30'000;
  bool verbose = false;
};

// What the console lines of one run said.
struct Collected {
  std::map<int, json> tests;  // by testharness index: registered, then finished
  std::optional<json> done;
  std::vector<std::string> uncaught;
};

void onLine(const Settings& settings, Collected& out, const io::LogEntry& entry) {
  auto& msg = entry.message;
  auto at = msg.find(kMark);
  if (at == std::string::npos) {
    if (entry.level == api::LogLevel::Error && msg.starts_with("Uncaught") && out.uncaught.size() < kMaxUncaught)
      out.uncaught.push_back(msg.substr(0, 500));
    if (settings.verbose) std::cerr << "[" << api::logLevelName(entry.level) << "] " << msg << "\n";
    return;
  }
  auto rest = msg.substr(at + kMark.size());
  auto space = rest.find(' ');
  auto kind = rest.substr(0, space);
  auto data = json::parse(rest.substr(space + 1), nullptr, false);
  if (data.is_discarded()) return;
  if (kind == "done") {
    out.done = std::move(data);
  } else if (kind == "test" && data.contains("i") && data["i"].is_number()) {
    out.tests.try_emplace(data["i"].get<int>(), json{{"name", data["name"]}, {"status", 2}, {"message", nullptr}});
  } else if (kind == "result" && data.contains("i") && data["i"].is_number()) {
    out.tests[data["i"].get<int>()] = json{{"name", data["name"]}, {"status", data["status"]}, {"message", data["message"]}};
  }
}

json statusName(const json& status, const char* const* names, size_t count) {
  if (status.is_number_integer() && status.get<int>() >= 0 && static_cast<size_t>(status.get<int>()) < count)
    return names[status.get<int>()];
  return "ERROR";
}

json runOne(const Settings& settings, const std::string& file, const std::string& source, const Meta& meta,
            const std::string& variant) {
  auto started = std::chrono::steady_clock::now();
  std::string dir = fs::path(file).parent_path().generic_string();
  json result = {{"file", file}, {"variant", variant}};

  // The scripts, in the order a worker's importScripts() would run them.
  io::WorkerCode code;
  Resources resources(settings.root);
  resources.addFolder(dir + "/resources", ".json");
  resources.addFile(file);  // its own URL is location.href, which some tests fetch
  resources.addLiterals(dir, source);
  std::vector<std::pair<std::string, std::string>> metaScripts;
  for (auto& ref : meta.scripts) {
    auto path = resolve(dir, ref);
    auto text = path.empty() ? std::nullopt : readFile(settings.root / path);
    if (!text) {
      result.update({{"status", "ERROR"}, {"message", "META script not found: " + ref}, {"tests", json::array()}});
      return result;
    }
    auto scriptDir = fs::path(path).parent_path().generic_string();
    if (!scriptDir.empty()) resources.addFolder(scriptDir, ".json");
    if (path.ends_with("idlharness.js")) resources.addFolder("interfaces", ".idl");
    // The harness's own libraries name no test resources.
    if (!path.starts_with("resources/")) resources.addLiterals(dir, *text);
    metaScripts.emplace_back("/" + path, substitute(path, std::move(*text)));
  }
  auto config = resources.config(kOrigin + "/" + file + variant, meta.title);
  auto configJson = config.dump(-1, ' ', false, json::error_handler_t::replace);
  code.classicScripts.emplace_back("wisp-wpt:config", "globalThis.__wptConfig = " + configJson + ";");
  code.classicScripts.emplace_back("wisp-wpt:prelude", settings.prelude);
  code.classicScripts.emplace_back("/resources/testharness.js", settings.testharness);
  code.classicScripts.emplace_back("wisp-wpt:attach", "__wptAttach();");
  for (auto& s : metaScripts) code.classicScripts.push_back(std::move(s));
  code.classicScripts.emplace_back("/" + file, substitute(file, source));
  // As the generated .any.worker.js does: loading is over once the test file has run (done()).
  code.classicScripts.emplace_back("wisp-wpt:epilogue", "__wptLoaded();");

  Collected collected;
  std::optional<io::Failure> startFailure;
  std::optional<std::string> serverFailure;
  auto reason = js::TerminationReason::None;
  {
    boost::asio::io_context ioc;
    io::Worker::Options options;
    options.limits.cpuMs = settings.timeoutMs * 2 / 3;
    options.limits.wallMs = settings.timeoutMs;
    options.limits.heapBytes = 512u << 20;
    options.allowCodeGeneration = true;  // some tests use eval() / new Function()
    options.onLog = [&](const io::LogEntry& e) {
      onLine(settings, collected, e);
      // Results are in: timers a test left behind (an interval) must not hold the run.
      if (collected.done) ioc.stop();
    };
    try {
      // The stand-in for wptserve first: the test's fetch() calls go to its default export.
      io::Worker::Options serverOptions;
      serverOptions.envJson = configJson;
      serverOptions.onLog = [&](const io::LogEntry& e) {
        if (settings.verbose) std::cerr << "[server] " << e.message << "\n";
      };
      auto serverCode = io::buildWorkerCode("server.js", {io::ModuleInput{"server.js", settings.server, {}}});
      auto server = io::Worker::create(ioc, std::move(serverCode), std::move(serverOptions));
      server->start([&](std::optional<io::Failure> f) {
        if (f) serverFailure = "server.js: " + f->text();
      });
      io::OutboundEntrypoint outbound;  // no props
      outbound.worker = server;
      outbound.entrypoint = "default";
      options.outboundEntrypoint = outbound;
      auto worker = io::Worker::create(ioc, std::move(code), std::move(options));
      worker->start([&](std::optional<io::Failure> f) { startFailure = std::move(f); });
      // Returns once the harness completed, or nothing is left that could call back into JS
      // (it never will), or a limit ended the Worker.
      ioc.run();
      reason = worker->isolate().terminationReason();
    } catch (const std::exception& e) {
      startFailure = io::Failure{io::Failure::Kind::Internal, "", e.what(), "", ""};
    }
  }

  json tests = json::array();
  json status, message;
  if (collected.done) {
    for (auto& t : (*collected.done)["tests"]) tests.push_back(t);
    status = (*collected.done)["harnessStatus"];
    message = (*collected.done)["harnessMessage"];
  } else {
    // Incomplete: subtests that never reported count as timed out, as testharness.js would.
    for (auto& [i, t] : collected.tests) tests.push_back(t);
    status = 2;
    message = "the test never completed and nothing was left that could complete it";
  }
  if (reason != js::TerminationReason::None && !collected.done) {
    // Out of time (CPU or wall, whichever the machine's load hits first) is a timeout; out of
    // memory is an error.
    status = reason == js::TerminationReason::HeapLimit ? 1 : 2;
    message = js::terminationMessage(reason);
  } else if (startFailure) {
    status = 1;
    message = "uncaught at top level: " + startFailure->text();
  } else if (serverFailure) {
    status = 1;
    message = *serverFailure;
  }
  for (auto& t : tests) t["status"] = statusName(t["status"], kTestStatus, 5);
  result["status"] = statusName(status, kHarnessStatus, 4);
  result["message"] = message;
  result["tests"] = std::move(tests);
  if (!collected.uncaught.empty()) result["uncaught"] = collected.uncaught;
  result["ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace
}  // namespace wisp::wpt

int main(int argc, char** argv) {
  using namespace wisp;
  CLI::App app{"wisp-wpt: run Web Platform Tests (*.any.js) in wisp Workers, one JSON line per run"};
  wpt::Settings settings;
  std::string root, prelude = WISP_WPT_PRELUDE, server = WISP_WPT_SERVER;
  std::vector<std::string> files;
  app.add_option("--root", root, "the WPT folder (holds resources/testharness.js)")->required();
  app.add_option("--prelude", prelude, "the prelude script")->capture_default_str();
  app.add_option("--server", server, "the module Worker standing in for wptserve")->capture_default_str();
  app.add_option("--timeout-ms", settings.timeoutMs, "wall-time budget per file and variant")->capture_default_str();
  app.add_flag("-v,--verbose", settings.verbose, "print the tests' own console output on stderr");
  app.add_option("files", files, "test files, relative to the root")->required();
  CLI11_PARSE(app, argc, argv);

  settings.root = root;
  auto preludeText = wpt::readFile(prelude);
  auto serverText = wpt::readFile(server);
  auto harness = wpt::readFile(settings.root / "resources/testharness.js");
  if (!preludeText || !serverText || !harness) {
    std::cerr << "wisp-wpt: cannot read "
              << (!preludeText ? prelude : !serverText ? server : root + "/resources/testharness.js") << "\n";
    return 2;
  }
  settings.prelude = std::move(*preludeText);
  settings.server = std::move(*serverText);
  settings.testharness = std::move(*harness);

  api::registerClasses(js::Registry::get());
  js::Engine::init({});
  for (auto& file : files) {
    auto source = wpt::readFile(settings.root / file);
    if (!source) {
      std::cout << json{{"file", file}, {"variant", ""}, {"status", "ERROR"}, {"message", "cannot read the file"},
                        {"tests", json::array()}}.dump() << std::endl;
      continue;
    }
    auto meta = wpt::parseMeta(*source);
    if (!wpt::runsHere(meta)) {
      std::string globals;
      for (auto& g : meta.globals) globals += (globals.empty() ? "" : ",") + g;
      std::cout << json{{"file", file}, {"skipped", "global=" + globals}}.dump() << std::endl;
      continue;
    }
    auto variants = meta.variants.empty() ? std::vector<std::string>{""} : meta.variants;
    for (auto& variant : variants) {
      // Replacement characters rather than an exception for odd bytes in names or messages.
      std::cout << wpt::runOne(settings, file, *source, meta, variant).dump(-1, ' ', false, json::error_handler_t::replace)
                << std::endl;
    }
  }
  return 0;
}
