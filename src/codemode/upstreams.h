// The upstream MCP servers that `wisp mcp` and `/mcp` put behind Code Mode: stdio processes and
// streamable-HTTP servers, each spoken to as an MCP client (initialize, tools/list, tools/call).
// One set per process, shared by every event loop: it does its I/O on a thread of its own and
// hands each answer back on the loop that asked (`replyOn`), so callers never block or lock.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

namespace wisp::codemode {

// One upstream, as configured (`wisp mcp --upstream`, or `wisp.mcp.upstreams` in the config).
struct UpstreamSpec {
  std::string name;                  // its namespace in the generated API (unique; a JS identifier
                                     // after sanitising)
  std::vector<std::string> command;  // stdio: argv of the process to start (PATH is searched)
  std::vector<std::pair<std::string, std::string>> env;  // stdio only: added to wisp's environment
  std::string url;                   // or streamable HTTP: the server's MCP endpoint
  std::vector<std::pair<std::string, std::string>> headers;  // HTTP only, e.g. Authorization
  double callTimeoutSeconds = 60;    // a tools/call with no answer by then fails
};

// What one upstream offers, or why it offers nothing right now.
struct UpstreamTools {
  std::string name;
  nlohmann::json tools = nlohmann::json::array();  // MCP Tool objects: {name, description?,
                                                   // inputSchema, outputSchema?, annotations?}
  std::optional<std::string> error;                // set when it could not be reached/listed
};

// The outcome of a tools/call: either the MCP CallToolResult ({content, structuredContent?,
// isError?}) or a failure of the upstream itself (it died, timed out, answered a JSON-RPC error,
// or has no such tool), as one line of text a model can read.
struct ToolCallOutcome {
  std::optional<nlohmann::json> result;
  std::optional<std::string> error;
};

class Upstreams {
 public:
  virtual ~Upstreams() = default;

  // Starts nothing yet: each upstream is connected on first use. An upstream process that exits is
  // started again on the next call; the calls in flight when it died fail with a clear error.
  // Throws std::invalid_argument for a spec without a name, with a name used twice, or with
  // neither or both of `command` and `url`.
  static std::shared_ptr<Upstreams> create(std::vector<UpstreamSpec> specs);

  virtual const std::vector<UpstreamSpec>& specs() const = 0;

  // Every upstream's tools, in spec order (connecting those not yet connected). `done` runs on
  // `replyOn`.
  virtual void listTools(boost::asio::io_context& replyOn, std::function<void(std::vector<UpstreamTools>)> done) = 0;

  // Calls `tool` of upstream `server` with `arguments` (a JSON object). `done` runs on `replyOn`,
  // exactly once, never synchronously inside this call.
  virtual void callTool(boost::asio::io_context& replyOn, const std::string& server, const std::string& tool,
                        nlohmann::json arguments, std::function<void(ToolCallOutcome)> done) = 0;

  // Stops every upstream process (SIGTERM, then SIGKILL) and fails what is in flight. Idempotent;
  // the destructor does it too.
  virtual void shutdown() = 0;
};

}  // namespace wisp::codemode
