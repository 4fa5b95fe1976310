// wisp as an MCP client of upstream servers: the real servers from npm (everything, memory,
// filesystem) over stdio, server-everything over streamable HTTP on 127.0.0.1, and small fixture
// servers (tests/codemode/fixtures/*.mjs) that die, hang or write garbage.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "codemode/sse-parser.h"
#include "codemode/upstreams.h"

extern char** environ;

namespace wisp::codemode {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kTests = WISP_TEST_DATA;
const fs::path kModules = kTests.parent_path() / "node_modules" / "@modelcontextprotocol";

std::optional<std::string> findNode() {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "";
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    fs::path candidate = fs::path(std::string(rest.substr(0, colon))) / "node";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

#define REQUIRE_NODE()                                         \
  if (!findNode()) GTEST_SKIP() << "node is not on the PATH"; \
  static_assert(true)

UpstreamSpec stdio(std::string name, std::vector<std::string> args, double timeoutSeconds = 60) {
  UpstreamSpec spec;
  spec.name = std::move(name);
  spec.command = {"node"};
  spec.command.insert(spec.command.end(), args.begin(), args.end());
  spec.callTimeoutSeconds = timeoutSeconds;
  return spec;
}

UpstreamSpec fixture(std::string name, const std::string& file, double timeoutSeconds = 60) {
  return stdio(std::move(name), {(kTests / "codemode" / "fixtures" / file).string()}, timeoutSeconds);
}

UpstreamSpec everything(std::string name = "everything") {
  return stdio(std::move(name), {(kModules / "server-everything" / "dist" / "index.js").string(), "stdio"});
}

// Runs a loop of its own until `ready` holds (or two minutes pass: a hang fails the test).
template <typename Ready>
void runUntil(boost::asio::io_context& loop, Ready ready) {
  auto work = boost::asio::make_work_guard(loop);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (!ready() && std::chrono::steady_clock::now() < deadline) loop.run_one_for(std::chrono::milliseconds(200));
}

ToolCallOutcome call(Upstreams& upstreams, const std::string& server, const std::string& tool, json arguments = json::object()) {
  boost::asio::io_context loop;
  std::optional<ToolCallOutcome> outcome;
  upstreams.callTool(loop, server, tool, std::move(arguments), [&](ToolCallOutcome o) { outcome = std::move(o); });
  runUntil(loop, [&] { return outcome.has_value(); });
  if (!outcome) {
    ADD_FAILURE() << "no answer from " << server << "." << tool;
    ToolCallOutcome none;
    none.error = "no answer";
    return none;
  }
  return *outcome;
}

std::vector<UpstreamTools> list(Upstreams& upstreams) {
  boost::asio::io_context loop;
  std::optional<std::vector<UpstreamTools>> tools;
  upstreams.listTools(loop, [&](std::vector<UpstreamTools> t) { tools = std::move(t); });
  runUntil(loop, [&] { return tools.has_value(); });
  if (!tools) ADD_FAILURE() << "listTools did not answer";
  return tools.value_or(std::vector<UpstreamTools>{});
}

std::vector<std::string> names(const json& tools) {
  std::vector<std::string> out;
  for (const auto& t : tools) out.push_back(t.at("name").get<std::string>());
  return out;
}

// The text of a CallToolResult's first content item.
std::string textOf(const ToolCallOutcome& outcome) {
  if (outcome.error) return "error: " + *outcome.error;
  const json& content = outcome.result->at("content");
  return content.empty() ? "" : content.at(0).value("text", "");
}

bool gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "in: " << (text)

TEST(Upstreams, ListsAndCallsServerEverythingOverStdio) {
  REQUIRE_NODE();
  auto upstreams = Upstreams::create({everything()});
  auto tools = list(*upstreams);
  ASSERT_EQ(tools.size(), 1u);
  EXPECT_EQ(tools[0].name, "everything");
  ASSERT_FALSE(tools[0].error) << *tools[0].error;
  auto toolNames = names(tools[0].tools);
  EXPECT_NE(std::find(toolNames.begin(), toolNames.end(), "echo"), toolNames.end());
  EXPECT_NE(std::find(toolNames.begin(), toolNames.end(), "get-sum"), toolNames.end());
  for (const auto& tool : tools[0].tools) EXPECT_TRUE(tool.contains("inputSchema")) << tool.dump();

  EXPECT_EQ(textOf(call(*upstreams, "everything", "echo", {{"message", "hello"}})), "Echo: hello");
  auto sum = call(*upstreams, "everything", "get-sum", {{"a", 2}, {"b", 40}});
  ASSERT_FALSE(sum.error) << *sum.error;
  EXPECT_CONTAINS(textOf(sum), "42");
}

TEST(Upstreams, AToolErrorIsAResultWithIsError) {
  REQUIRE_NODE();
  auto upstreams = Upstreams::create({everything()});
  auto unknown = call(*upstreams, "everything", "no-such-tool");
  ASSERT_FALSE(unknown.error) << *unknown.error;
  EXPECT_EQ(unknown.result->value("isError", false), true);
  EXPECT_CONTAINS(textOf(unknown), "no-such-tool");
  auto invalid = call(*upstreams, "everything", "get-sum", {{"a", "not a number"}});
  ASSERT_FALSE(invalid.error) << *invalid.error;
  EXPECT_EQ(invalid.result->value("isError", false), true);
}

TEST(Upstreams, MemoryAndFilesystemServersTogether) {
  REQUIRE_NODE();
  fs::path dir = fs::temp_directory_path() / ("wisp-upstreams-" + std::to_string(::getpid()));
  fs::create_directories(dir / "files");
  auto memory = stdio("memory", {(kModules / "server-memory" / "dist" / "index.js").string()});
  memory.env = {{"MEMORY_FILE_PATH", (dir / "memory.jsonl").string()}};
  auto files = stdio("files", {(kModules / "server-filesystem" / "dist" / "index.js").string(), (dir / "files").string()});
  auto upstreams = Upstreams::create({memory, files});

  auto tools = list(*upstreams);
  ASSERT_EQ(tools.size(), 2u);
  ASSERT_FALSE(tools[0].error) << *tools[0].error;
  ASSERT_FALSE(tools[1].error) << *tools[1].error;
  auto memoryTools = names(tools[0].tools), fileTools = names(tools[1].tools);
  EXPECT_NE(std::find(memoryTools.begin(), memoryTools.end(), "create_entities"), memoryTools.end());
  EXPECT_NE(std::find(fileTools.begin(), fileTools.end(), "write_file"), fileTools.end());

  json entity = {{"name", "wisp"}, {"entityType", "runtime"}, {"observations", {"runs Workers"}}};
  auto created = call(*upstreams, "memory", "create_entities", {{"entities", {entity}}});
  ASSERT_FALSE(created.error) << *created.error;
  EXPECT_FALSE(created.result->value("isError", false)) << created.result->dump();
  EXPECT_CONTAINS(textOf(call(*upstreams, "memory", "read_graph")), "runs Workers");

  std::string file = (dir / "files" / "note.txt").string();
  auto written = call(*upstreams, "files", "write_file", {{"path", file}, {"content", "from wisp"}});
  ASSERT_FALSE(written.error) << *written.error;
  EXPECT_FALSE(written.result->value("isError", false)) << written.result->dump();
  EXPECT_EQ(textOf(call(*upstreams, "files", "read_text_file", {{"path", file}})), "from wisp");
  // Outside the allowed directory: the server refuses, as a tool error.
  auto refused = call(*upstreams, "files", "read_text_file", {{"path", "/etc/hostname"}});
  ASSERT_FALSE(refused.error) << *refused.error;
  EXPECT_EQ(refused.result->value("isError", false), true);

  upstreams->shutdown();
  fs::remove_all(dir);
}

TEST(Upstreams, UnknownServerAndBadArgumentsFailAtOnce) {
  REQUIRE_NODE();
  auto upstreams = Upstreams::create({everything("a"), everything("b")});
  EXPECT_EQ(call(*upstreams, "c", "echo").error, "there is no upstream named 'c' (the upstreams are: a, b)");
  EXPECT_EQ(call(*upstreams, "a", "echo", json::array({1})).error, "the arguments of a.echo must be an object, not array");
}

TEST(Upstreams, ACommandThatDoesNotExistIsReported) {
  UpstreamSpec spec;
  spec.name = "nope";
  spec.command = {"wisp-no-such-command-here", "--flag"};
  auto upstreams = Upstreams::create({spec});
  EXPECT_EQ(call(*upstreams, "nope", "anything").error,
            "upstream 'nope' could not be started: no such command 'wisp-no-such-command-here'");
  auto tools = list(*upstreams);
  ASSERT_EQ(tools.size(), 1u);
  EXPECT_EQ(tools[0].error, "upstream 'nope' could not be started: no such command 'wisp-no-such-command-here'");
}

TEST(Upstreams, InvalidSpecsAreRefused) {
  UpstreamSpec both = everything("x");
  both.url = "http://127.0.0.1:1/mcp";
  EXPECT_THROW(Upstreams::create({both}), std::invalid_argument);
  UpstreamSpec neither;
  neither.name = "y";
  EXPECT_THROW(Upstreams::create({neither}), std::invalid_argument);
  EXPECT_THROW(Upstreams::create({everything("z"), everything("z")}), std::invalid_argument);
}

TEST(Upstreams, ListingWalksEveryPage) {
  REQUIRE_NODE();
  auto upstreams = Upstreams::create({fixture("paged", "exits-mid-call.mjs")});
  auto tools = list(*upstreams);  // the fixture lists one tool per page
  ASSERT_EQ(tools.size(), 1u);
  ASSERT_FALSE(tools[0].error) << *tools[0].error;
  EXPECT_EQ(names(tools[0].tools), (std::vector<std::string>{"pid", "echo", "ask-client", "crash", "slow-echo"}));
}

TEST(Upstreams, AnUpstreamThatDiesFailsItsCallsAndIsRestartedOnTheNextCall) {
  REQUIRE_NODE();
  auto upstreams = Upstreams::create({fixture("crashy", "exits-mid-call.mjs")});
  std::string firstPid = textOf(call(*upstreams, "crashy", "pid"));
  ASSERT_FALSE(firstPid.starts_with("error")) << firstPid;

  // A call in flight and the call that kills it both fail, naming the upstream and its status.
  boost::asio::io_context loop;
  std::optional<ToolCallOutcome> slow;
  upstreams->callTool(loop, "crashy", "slow-echo", {{"message", "x"}}, [&](ToolCallOutcome o) { slow = std::move(o); });
  auto crash = call(*upstreams, "crashy", "crash");
  EXPECT_EQ(crash.error, "upstream 'crashy' exited with status 3; its last stderr line: crashing on purpose");
  runUntil(loop, [&] { return slow.has_value(); });
  ASSERT_TRUE(slow.has_value());
  EXPECT_EQ(slow->error, crash.error);
  EXPECT_TRUE(gone(std::stoi(firstPid)));  // reaped, not a zombie

  // The next call starts it again.
  EXPECT_EQ(textOf(call(*upstreams, "crashy", "echo", {{"message", "again"}})), "echo: again");
  std::string secondPid = textOf(call(*upstreams, "crashy", "pid"));
  EXPECT_NE(secondPid, firstPid);
}

TEST(Upstreams, ACallWithNoAnswerTimesOutAndTheUpstreamStaysUsable) {
  REQUIRE_NODE();
  auto upstreams = Upstreams::create({fixture("stuck", "never-answers.mjs", 5)});
  auto hung = call(*upstreams, "stuck", "hang");
  EXPECT_EQ(hung.error, "upstream 'stuck' did not answer tools/call 'hang' within 5 s");
  EXPECT_EQ(textOf(call(*upstreams, "stuck", "echo", {{"message", "still here"}})), "echo: still here");
}

TEST(Upstreams, GarbageOnStdoutIsSkippedAndNamedWhenACallGetsNoAnswer) {
  REQUIRE_NODE();
  auto upstreams = Upstreams::create({fixture("noisy", "garbage-lines.mjs", 5)});
  EXPECT_EQ(textOf(call(*upstreams, "noisy", "echo", {{"message", "through the noise"}})), "echo: through the noise");
  auto mumbled = call(*upstreams, "noisy", "mumble");
  EXPECT_EQ(mumbled.error,
            "upstream 'noisy' did not answer tools/call 'mumble' within 5 s; it wrote a line on stdout that is not "
            "JSON-RPC: mumble mumble");
}

TEST(Upstreams, RequestsFromTheServerGetAnswers) {
  REQUIRE_NODE();
  auto upstreams = Upstreams::create({fixture("asking", "exits-mid-call.mjs")});
  auto asked = call(*upstreams, "asking", "ask-client");
  ASSERT_FALSE(asked.error) << *asked.error;
  json answers = json::parse(textOf(asked));
  EXPECT_EQ(answers["ping"], json({{"result", json::object()}}));
  EXPECT_EQ(answers["roots"]["error"]["code"], -32601);
  EXPECT_EQ(answers["roots"]["error"]["message"], "wisp's MCP client does not support roots/list");
}

TEST(Upstreams, ShutdownStopsEveryProcessEvenOneThatIgnoresSigterm) {
  REQUIRE_NODE();
  auto upstreams = Upstreams::create({fixture("polite", "exits-mid-call.mjs"), fixture("stubborn", "never-answers.mjs")});
  pid_t polite = std::stoi(textOf(call(*upstreams, "polite", "pid")));
  pid_t stubborn = std::stoi(textOf(call(*upstreams, "stubborn", "pid")));
  EXPECT_FALSE(gone(polite));
  EXPECT_FALSE(gone(stubborn));

  boost::asio::io_context loop;
  std::optional<ToolCallOutcome> inFlight;
  upstreams->callTool(loop, "stubborn", "hang", json::object(), [&](ToolCallOutcome o) { inFlight = std::move(o); });
  upstreams->shutdown();
  EXPECT_TRUE(gone(polite));
  EXPECT_TRUE(gone(stubborn));
  runUntil(loop, [&] { return inFlight.has_value(); });
  ASSERT_TRUE(inFlight.has_value());
  EXPECT_EQ(inFlight->error, "upstream 'stubborn' was shut down");
  // After shutdown: refused at once, nothing started.
  EXPECT_EQ(call(*upstreams, "polite", "pid").error, "upstream 'polite' is shut down");
  upstreams->shutdown();  // idempotent
}

TEST(Upstreams, ManyConcurrentCallsFromSeveralLoops) {
  REQUIRE_NODE();
  auto upstreams = Upstreams::create({everything()});
  constexpr int kLoops = 3, kCalls = 30;
  std::atomic<int> right = 0;
  std::vector<std::thread> threads;
  for (int l = 0; l < kLoops; l++) {
    threads.emplace_back([&, l] {
      boost::asio::io_context loop;
      int answered = 0;
      for (int i = 0; i < kCalls; i++) {
        std::string message = std::to_string(l) + "/" + std::to_string(i);
        upstreams->callTool(loop, "everything", "echo", {{"message", message}}, [&, message](ToolCallOutcome o) {
          answered++;
          if (textOf(o) == "Echo: " + message) right++;
        });
      }
      runUntil(loop, [&] { return answered == kCalls; });
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(right.load(), kLoops * kCalls);
}

// A streamable-HTTP MCP server run by node on a free port of 127.0.0.1 (it reads $PORT):
// server-everything by default.
class HttpServer {
 public:
  explicit HttpServer(std::vector<std::string> args = {(kModules / "server-everything" / "dist" / "index.js").string(),
                                                       "streamableHttp"}) {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    ::close(s);

    std::string node = findNode().value_or("node");
    args.insert(args.begin(), node);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env = {"PORT=" + std::to_string(port_)};
    for (char** e = environ; *e; e++)
      if (!std::string_view(*e).starts_with("PORT=")) env.emplace_back(*e);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);  // it logs every request
    ::posix_spawn(&pid_, node.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);

    // Ready once it accepts connections.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (std::chrono::steady_clock::now() < deadline) {
      int c = ::socket(AF_INET, SOCK_STREAM, 0);
      address.sin_port = htons(port_);
      bool up = ::connect(c, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
      ::close(c);
      if (up) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << args[1] << " did not start listening on port " << port_;
  }
  ~HttpServer() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  std::string url(const std::string& path = "/mcp") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

UpstreamSpec http(std::string name, std::string url) {
  UpstreamSpec spec;
  spec.name = std::move(name);
  spec.url = std::move(url);
  spec.callTimeoutSeconds = 60;
  return spec;
}

TEST(Upstreams, StreamableHttpServerEverything) {
  REQUIRE_NODE();
  HttpServer server;
  auto upstreams = Upstreams::create({http("remote", server.url())});
  auto tools = list(*upstreams);
  ASSERT_EQ(tools.size(), 1u);
  ASSERT_FALSE(tools[0].error) << *tools[0].error;
  auto toolNames = names(tools[0].tools);
  EXPECT_NE(std::find(toolNames.begin(), toolNames.end(), "echo"), toolNames.end());

  EXPECT_EQ(textOf(call(*upstreams, "remote", "echo", {{"message", "over http"}})), "Echo: over http");
  auto unknown = call(*upstreams, "remote", "no-such-tool");
  ASSERT_FALSE(unknown.error) << *unknown.error;
  EXPECT_EQ(unknown.result->value("isError", false), true);

  // Concurrent calls share the one session.
  boost::asio::io_context loop;
  int answered = 0, right = 0;
  for (int i = 0; i < 20; i++) {
    std::string message = "m" + std::to_string(i);
    upstreams->callTool(loop, "remote", "echo", {{"message", message}}, [&, message](ToolCallOutcome o) {
      answered++;
      if (textOf(o) == "Echo: " + message) right++;
    });
  }
  runUntil(loop, [&] { return answered == 20; });
  EXPECT_EQ(right, 20);
}

TEST(Upstreams, HttpErrorsAreReported) {
  REQUIRE_NODE();
  HttpServer server;
  auto upstreams = Upstreams::create({http("wrong-path", server.url("/not-mcp")), http("closed", "http://127.0.0.1:1/mcp")});
  auto wrong = call(*upstreams, "wrong-path", "echo");
  ASSERT_TRUE(wrong.error);
  EXPECT_CONTAINS(*wrong.error, "upstream 'wrong-path' answered HTTP 404");
  auto closed = call(*upstreams, "closed", "echo");
  ASSERT_TRUE(closed.error);
  EXPECT_CONTAINS(*closed.error, "upstream 'closed' could not be reached");
}

TEST(Upstreams, StreamableHttpWithJsonAnswers) {
  REQUIRE_NODE();
  HttpServer server({(kTests / "codemode" / "fixtures" / "json-http-server.mjs").string()});
  auto upstreams = Upstreams::create({http("plain", server.url()), http("broken", server.url("/elsewhere"))});
  auto tools = list(*upstreams);
  ASSERT_EQ(tools.size(), 2u);
  ASSERT_FALSE(tools[0].error) << *tools[0].error;
  EXPECT_EQ(names(tools[0].tools), std::vector<std::string>{"add"});
  EXPECT_EQ(tools[1].error, "upstream 'broken' answered HTTP 500 Internal Server Error: the fixture is broken on purpose");
  EXPECT_EQ(textOf(call(*upstreams, "plain", "add", {{"a", 20}, {"b", 22}})), "42");
  auto other = call(*upstreams, "plain", "subtract");
  ASSERT_FALSE(other.error) << *other.error;
  EXPECT_EQ(other.result->value("isError", false), true);
}

std::vector<std::string> events(std::vector<std::string> pieces) {
  SseParser parser;
  std::vector<std::string> out;
  for (const auto& piece : pieces)
    parser.feed(piece, [&](SseParser::Event e) { out.push_back(e.type + "|" + e.id + "|" + e.data); });
  return out;
}

TEST(SseParser, EventsAcrossPiecesAndLineEndings) {
  EXPECT_EQ(events({"event: message\nid: 1\ndata: {\"a\":", "1}\n\n"}), std::vector<std::string>{"message|1|{\"a\":1}"});
  EXPECT_EQ(events({"data: one\r\ndata: two\r", "\n\r\n: keep-alive\n\ndata:x\n\n"}),
            (std::vector<std::string>{"message||one\ntwo", "message||x"}));
  EXPECT_EQ(events({"id: 7\n\n", "data: unfinished"}), std::vector<std::string>{});  // no data, no end
}

}  // namespace
}  // namespace wisp::codemode
