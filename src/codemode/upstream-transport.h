// How JSON-RPC messages travel to and from one upstream MCP server: lines on a child process's
// stdin/stdout (StdioUpstream) or POSTs to a streamable-HTTP endpoint (HttpUpstream). The MCP
// session on top (McpSession) does not know which. Everything runs on the upstream loop.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace wisp::codemode {

class UpstreamTransport {
 public:
  // What one connection reports; none of these runs inside the call that caused it.
  struct Handlers {
    // A JSON-RPC message from the upstream (each element of a batch on its own).
    std::function<void(nlohmann::json message)> message;
    // A request that got no answer and never will (an HTTP error status, a refused connection):
    // `error` is one line naming the upstream.
    std::function<void(const nlohmann::json& request, std::string error)> undelivered;
    // The connection is over (the process exited, or could not be started): everything in flight
    // fails with `why`, one line naming the upstream. The next open() starts a new one.
    std::function<void(std::string why)> closed;
  };

  virtual ~UpstreamTransport() = default;

  // Starts a connection (a new process; a new HTTP session), reporting to `handlers` only.
  virtual void open(Handlers handlers) = 0;
  // Sends one message on the open connection.
  virtual void send(const nlohmann::json& message) = 0;
  // The protocol version agreed by initialize (streamable HTTP sends it with every request).
  virtual void setProtocolVersion(const std::string& version) {}
  // Ends the connection without reporting it (stops the process: SIGTERM, later SIGKILL; ends the
  // HTTP session); `done` runs on the loop once it is gone. Fine to call when nothing is open.
  virtual void close(std::function<void()> done) = 0;
  // What the upstream did wrong lately, for error texts ("; it wrote a line that is not JSON:
  // ..."; "; its last stderr line: ..."), or empty.
  virtual std::string hint() const { return {}; }
};

}  // namespace wisp::codemode
