#include "server/mcp-command.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include "api/host.h"
#include "server/mcp-host.h"

namespace wisp::server {
namespace {

using nlohmann::json;

std::vector<std::string> splitWords(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool inWord = false;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
      else word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      inWord = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (inWord) words.push_back(std::move(word));
      word.clear();
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw std::invalid_argument("unterminated quote in --upstream '" + std::string(text) + "'");
  if (inWord) words.push_back(std::move(word));
  return words;
}

bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

std::string stripAffixes(std::string name) {
  for (std::string_view prefix : {"mcp-server-", "server-", "mcp-"})
    if (name.starts_with(prefix) && name.size() > prefix.size()) name.erase(0, prefix.size());
  for (std::string_view suffix : {"-mcp-server", "-server", "-mcp"})
    if (name.ends_with(suffix) && name.size() > suffix.size()) name.erase(name.size() - suffix.size());
  return name;
}

// "node .../server-memory/dist/index.js" -> "memory"; "npx -y @scope/server-filesystem /tmp" ->
// "filesystem"; "python3 weather.py" -> "weather".
std::string nameFromCommand(const std::vector<std::string>& argv) {
  static const std::vector<std::string> runners = {"node", "npx", "bun", "bunx", "deno", "python", "python3",
                                                   "uv", "uvx", "pipx", "run", "exec", "tsx"};
  std::filesystem::path pick = argv.front();
  for (size_t i = 0; i < argv.size(); i++) {
    std::string base = std::filesystem::path(argv[i]).filename().string();
    if (argv[i].starts_with("-") || std::find(runners.begin(), runners.end(), base) != runners.end()) continue;
    pick = argv[i];
    break;
  }
  pick = pick.lexically_normal();
  std::string name = pick.stem().string();
  // A generic file name says nothing: the folder (or the package above dist/) does.
  for (auto dir = pick.parent_path(); (name == "index" || name == "main" || name == "cli" || name == "server" ||
                                       name == "dist" || name == "build" || name == "lib" || name == "src") &&
                                      !dir.empty() && dir.filename() != "..";
       dir = dir.parent_path()) {
    name = dir.filename().string();
  }
  return stripAffixes(name);
}

std::string nameFromUrl(const std::string& url) {
  auto start = url.find("://") + 3;
  auto end = url.find_first_of(":/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (host.empty() || std::isdigit(static_cast<unsigned char>(host[0])) || host == "localhost") return "remote";
  return host.substr(0, host.find('.'));
}

}  // namespace

codemode::UpstreamSpec parseUpstreamSpec(std::string_view text) {
  codemode::UpstreamSpec spec;
  std::string_view rest = text;
  auto eq = text.find('=');
  if (eq != std::string_view::npos && eq > 0 && std::all_of(text.begin(), text.begin() + eq, isNameChar)) {
    spec.name = std::string(text.substr(0, eq));
    rest = text.substr(eq + 1);
  }
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
  if (rest.starts_with("http://") || rest.starts_with("https://")) {
    spec.url = std::string(rest.substr(0, rest.find_first_of(" \t")));
    if (spec.name.empty()) spec.name = nameFromUrl(spec.url);
    return spec;
  }
  spec.command = splitWords(rest);
  // After a name, leading NAME=value words set the process's environment, as in a shell.
  while (!spec.name.empty() && !spec.command.empty()) {
    const std::string& word = spec.command.front();
    auto at = word.find('=');
    bool assignment = at != std::string::npos && at > 0 && !std::isdigit(static_cast<unsigned char>(word[0])) &&
                      std::all_of(word.begin(), word.begin() + at, [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                      });
    if (!assignment) break;
    spec.env.emplace_back(word.substr(0, at), word.substr(at + 1));
    spec.command.erase(spec.command.begin());
  }
  if (spec.command.empty()) throw std::invalid_argument("--upstream '" + std::string(text) + "' names no command or URL");
  if (spec.name.empty()) spec.name = nameFromCommand(spec.command);
  return spec;
}

int runMcp(const std::vector<std::string>& upstreamFlags, const io::Limits& limits) {
  boost::asio::io_context ioc;
  std::unique_ptr<McpHost> host;
  try {
    std::vector<codemode::UpstreamSpec> specs;
    for (auto& flag : upstreamFlags) {
      auto spec = parseUpstreamSpec(flag);
      for (auto& other : specs)
        if (other.name == spec.name)
          throw std::invalid_argument("two upstreams are named '" + spec.name + "': name them, --upstream NAME=...");
      specs.push_back(std::move(spec));
    }
    host = std::make_unique<McpHost>(
        McpHostOptions{std::move(specs), limits, nullptr,
                       [](const io::LogEntry& e) {
                         std::cerr << "[" << api::logLevelName(e.level) << "] " << e.message << "\n";
                       }},
        ioc);
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }

  auto work = boost::asio::make_work_guard(ioc);
  size_t inFlight = 0;
  bool ended = false;
  auto finishIfDone = [&] {
    if (!ended || inFlight > 0) return;
    host->shutdown();
    work.reset();
    ioc.stop();
  };
  auto handleLine = [&](std::string line) {
    inFlight++;
    io::HttpRequest request{"POST", "http://wisp-mcp/stdio", {{"content-type", "application/json"}}, line};
    host->fetch(std::move(request), [&, line](io::FetchResult result) {
      inFlight--;
      if (result.error) {
        // The MCP Worker itself failed (it never should): the request still gets an answer.
        std::cerr << "error: the MCP server failed: " << result.error->text() << "\n";
        json message = json::parse(line, nullptr, false);
        if (message.is_object() && message.contains("id") && message.contains("method")) {
          json reply{{"jsonrpc", "2.0"}, {"id", message["id"]}, {"error", {{"code", -32603}, {"message", result.error->text()}}}};
          std::cout << reply.dump(-1, ' ', false, json::error_handler_t::replace) << "\n" << std::flush;
        }
      } else if (result.response->status == 200 && !result.response->body.empty()) {
        std::cout << result.response->body << "\n" << std::flush;
      }
      finishIfDone();
    });
  };

  // stdin is read by a thread of its own (a blocking read), each line handed to the loop. Reads
  // must not flush stdout from that thread: only the loop writes it.
  std::cin.tie(nullptr);
  std::thread reader([&ioc, &handleLine, &ended, &finishIfDone] {
    for (std::string line; std::getline(std::cin, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      boost::asio::post(ioc, [&handleLine, line = std::move(line)]() mutable { handleLine(std::move(line)); });
    }
    boost::asio::post(ioc, [&ended, &finishIfDone] {
      ended = true;
      finishIfDone();
    });
  });
  // SIGTERM or SIGINT: the upstream processes are stopped too (shutdown() waits for them), and
  // wisp exits without waiting for what is in flight, nor for the reader blocked on stdin.
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int) {
    if (error) return;
    host->shutdown();
    std::cout.flush();
    std::_Exit(0);
  });
  ioc.run();
  signals.cancel();
  reader.join();
  host.reset();  // the Workers go while the loop still exists
  return 0;
}

}  // namespace wisp::server
