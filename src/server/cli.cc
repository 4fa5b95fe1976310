#include "server/cli.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "api/global-scope.h"
#include "io/worker.h"
#include "js/class.h"
#include "js/engine.h"
#include "server/egress-config.h"
#include "server/mcp-command.h"
#include "server/serve.h"

#ifndef WISP_VERSION
#define WISP_VERSION "0.1.0"
#endif

namespace wisp::server {
namespace {

struct LimitFlags {
  double cpuMs = io::Limits{}.cpuMs;
  double wallMs = io::Limits{}.wallMs;
  double heapMb = static_cast<double>(io::Limits{}.heapBytes >> 20);
  void add(CLI::App& cmd) {
    cmd.add_option("--cpu-ms", cpuMs, "CPU time limit per invocation, in ms")->capture_default_str()->check(CLI::PositiveNumber);
    cmd.add_option("--wall-ms", wallMs, "wall-time limit per invocation, in ms")->capture_default_str()->check(CLI::PositiveNumber);
    cmd.add_option("--heap-mb", heapMb, "heap limit per isolate (V8 heap + ArrayBuffers), in MiB")
        ->capture_default_str()->check(CLI::Range(4.0, 65536.0));
  }
  io::Limits limits() const {
    io::Limits l;
    l.cpuMs = cpuMs;
    l.wallMs = wallMs;
    l.heapBytes = static_cast<size_t>(heapMb * 1024 * 1024);
    return l;
  }
};

// The egress policy of fetch() (wisp.egress in a config): the public Internet by default.
struct EgressFlags {
  EgressSettings settings;
  void add(CLI::App& cmd) {
    cmd.add_option("--egress-allow", settings.allow,
                   "fetch() reaches only these: host names (*.example.com, *), addresses, CIDR ranges (repeatable)");
    cmd.add_option("--egress-deny", settings.deny, "fetch() never reaches these (repeatable)");
    cmd.add_flag("--egress-allow-private", settings.allowPrivate,
                 "fetch() may reach loopback, private and other special-purpose addresses");
    cmd.add_option("--egress-timeout-ms", settings.timeoutMs, "time limit of one fetch(), in ms")
        ->capture_default_str()->check(CLI::PositiveNumber);
    cmd.add_option("--egress-max-response-bytes", settings.maxResponseBytes, "largest fetch() response body, in bytes")
        ->capture_default_str()->check(CLI::PositiveNumber);
  }
};

void initEngine() {
  api::registerClasses(js::Registry::get());
  js::Engine::init({});
}

void printLog(const io::LogEntry& e) {
  std::cerr << "[" << api::logLevelName(e.level) << "] " << e.message << "\n";
}

void printFailure(const io::Failure& f) {
  std::cerr << "error: " << f.text() << "\n";
  // The stack repeats the message first; print its frames only.
  std::istringstream lines(f.stack);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("    at ")) std::cerr << line << "\n";
}

std::shared_ptr<io::Worker> loadWorker(boost::asio::io_context& ioc, const std::string& path, const io::Limits& limits,
                                       const EgressFlags& egress) {
  io::Worker::Options options;
  options.limits = limits;
  options.outbound = egress.settings.toOutbound();  // throws std::invalid_argument for a bad entry
  options.onLog = printLog;
  return io::Worker::create(ioc, io::loadWorkerCodeFromPath(path), std::move(options));
}

// Starts the Worker and runs the loop until start() reports; returns false on failure.
bool startWorker(boost::asio::io_context& ioc, io::Worker& worker) {
  bool ok = false, done = false;
  worker.start([&](std::optional<io::Failure> f) {
    done = true;
    if (f) printFailure(*f);
    else ok = true;
  });
  while (!done && ioc.run_one()) {
  }
  if (!done) std::cerr << "error: the main module never finished evaluating (top-level await on nothing)\n";
  return ok;
}

int cmdRun(const std::string& path, const std::string& method, const std::vector<std::string>& headers,
           const std::string& data, const std::string& url, const std::string& entrypoint, const LimitFlags& lf,
           const EgressFlags& egress) {
  io::HttpRequest req;
  req.method = method;
  req.url = url;
  for (auto& h : headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      std::cerr << "error: --header wants NAME:VALUE, got '" << h << "'\n";
      return 2;
    }
    std::string value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    req.headers.emplace_back(h.substr(0, colon), value);
  }
  if (!data.empty()) {
    if (data[0] == '@') {
      std::ifstream in(data.substr(1), std::ios::binary);
      if (!in) {
        std::cerr << "error: cannot read " << data.substr(1) << "\n";
        return 2;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      req.body = ss.str();
    } else {
      req.body = data;
    }
    if (method == "GET") req.method = "POST";
  }

  boost::asio::io_context ioc;
  std::shared_ptr<io::Worker> worker;
  try {
    worker = loadWorker(ioc, path, lf.limits(), egress);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  if (!startWorker(ioc, *worker)) return 1;

  std::optional<io::FetchResult> result;
  worker->fetch(req, entrypoint, [&](io::FetchResult r) { result = std::move(r); });
  ioc.run();  // returns once the invocation and its waitUntil work are over
  if (!result) {
    std::cerr << "error: the Worker did not produce a response\n";
    return 1;
  }
  if (result->error) {
    printFailure(*result->error);
    return 1;
  }
  auto& res = *result->response;
  std::cout << "HTTP " << res.status << (res.statusText.empty() ? "" : " " + res.statusText) << "\n";
  for (auto& [k, v] : res.headers) std::cout << k << ": " << v << "\n";
  std::cout << "\n" << res.body;
  if (!res.body.empty() && res.body.back() != '\n') std::cout << "\n";
  return 0;
}

int cmdTest(const std::vector<std::string>& files, const LimitFlags& lf, const EgressFlags& egress) {
  int passed = 0, failed = 0;
  for (auto& file : files) {
    boost::asio::io_context ioc;
    std::shared_ptr<io::Worker> worker;
    try {
      worker = loadWorker(ioc, file, lf.limits(), egress);
    } catch (const std::exception& e) {
      std::cerr << "FAIL " << file << ": " << e.what() << "\n";
      failed++;
      continue;
    }
    if (!startWorker(ioc, *worker)) {
      std::cerr << "FAIL " << file << ": could not load\n";
      failed++;
      continue;
    }
    std::optional<io::TestRunResult> result;
    worker->runTests([&](io::TestRunResult r) { result = std::move(r); });
    ioc.run();
    if (!result || result->error) {
      std::cerr << "FAIL " << file << ": " << (result ? result->error->text() : "tests never finished") << "\n";
      failed++;
      continue;
    }
    for (auto& c : result->cases) {
      if (c.ok) {
        passed++;
        std::cout << "ok   " << file << " " << c.name << "\n";
      } else {
        failed++;
        std::cout << "FAIL " << file << " " << c.name << "\n  " << c.error << "\n";
      }
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 && passed > 0 ? 0 : 1;
}

}  // namespace

int runCli(int argc, char** argv) {
  CLI::App app{"wisp: run Workers (JavaScript and TypeScript) in V8 isolates"};
  app.require_subcommand(1);

  auto* run = app.add_subcommand("run", "Run a Worker once: dispatch one fetch event and print the response");
  std::string path, method = "GET", data, url = "http://localhost/", entrypoint = "default";
  std::vector<std::string> headers;
  LimitFlags runLimits;
  run->add_option("path", path, "a module file or a directory of modules")->required();
  run->add_option("-X,--method", method, "request method")->capture_default_str();
  run->add_option("-H,--header", headers, "request header NAME:VALUE (repeatable)");
  run->add_option("-d,--data", data, "request body: text, or @file");
  run->add_option("--url", url, "request URL")->capture_default_str();
  run->add_option("--entrypoint", entrypoint, "export to call: default or a named export")->capture_default_str();
  runLimits.add(*run);
  EgressFlags runEgress;
  runEgress.add(*run);

  auto* test = app.add_subcommand("test", "Run JS test files: every exported function is a test case");
  std::vector<std::string> files;
  LimitFlags testLimits;
  test->add_option("files", files, "test files")->required();
  testLimits.add(*test);
  EgressFlags testEgress;
  testEgress.add(*test);

  auto* serve = app.add_subcommand("serve", "Serve Workers over HTTP: the Worker a wrangler config names, or the built-in execute API");
  ServeFlags serveFlags;
  std::string listen;
  serve->add_option("dir", serveFlags.dir, "folder with wrangler.jsonc / wrangler.json / wrangler.toml (or a config file)")
      ->capture_default_str();
  serve->add_option("--listen", listen, "address to listen on (host:port), overrides wisp.listen");

  auto* mcp = app.add_subcommand("mcp", "Serve MCP over stdio: Code Mode (tools execute, search, describe) in front of upstream MCP servers");
  std::vector<std::string> upstreams;
  LimitFlags mcpLimits;
  mcp->add_option("--upstream", upstreams,
                  "an upstream MCP server (repeatable): '[name=]command args...' (stdio; quote arguments with spaces) "
                  "or '[name=]http://host/mcp' (streamable HTTP), e.g. 'memory=npx -y @modelcontextprotocol/server-memory'. "
                  "The name is its namespace in the code (default: from the package, script or host name); after it, "
                  "VAR=value words set the process's environment ('memory=MEMORY_FILE_PATH=/tmp/m.jsonl node server.js')")
      ->required();
  mcpLimits.add(*mcp);

  app.add_subcommand("version", "Print the version")->callback([] {
    std::cout << "wisp " << WISP_VERSION << " (V8 " << js::Engine::v8Version() << ")\n";
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (app.got_subcommand("version")) return 0;

  initEngine();
  int rc = 1;
  if (app.got_subcommand(run)) rc = cmdRun(path, method, headers, data, url, entrypoint, runLimits, runEgress);
  else if (app.got_subcommand(test)) rc = cmdTest(files, testLimits, testEgress);
  else if (app.got_subcommand(mcp)) rc = runMcp(upstreams, mcpLimits.limits());
  else if (app.got_subcommand(serve)) {
    if (!listen.empty()) serveFlags.listen = listen;
    rc = runServe(serveFlags);
  }
  std::cout.flush();
  return rc;
}

}  // namespace wisp::server
