// wisp as an MCP client of one upstream server, over any UpstreamTransport: JSON-RPC 2.0 requests
// with ids, answers matched to them, a timeout per request; the initialize handshake (then
// notifications/initialized) before anything else; tools/list through every page; tools/call.
// Requests the server sends wisp get an answer (ping) or a JSON-RPC error, never silence.
//
// The connection is made on first use and again on the first use after it was lost (the
// process exited); what was in flight when it was lost fails at once with the reason. Everything
// runs on the upstream loop; callbacks run there too, never inside the call that asked.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "codemode/upstream-transport.h"

namespace wisp::codemode {

// The MCP version wisp asks for, and those it accepts from a server that offers another.
inline constexpr const char* kMcpProtocolVersion = "2025-06-18";
// The least time initialize and tools/list are given.
inline constexpr std::chrono::seconds kSetupTimeout{30};
bool isSupportedMcpProtocolVersion(const std::string& version);

class McpSession {
 public:
  // A result, or one line saying why there is none.
  using Done = std::function<void(std::optional<nlohmann::json> result, std::optional<std::string> error)>;

  // `callTimeout` bounds a tools/call; initialize and tools/list get at least kSetupTimeout (a
  // server started by `npx` may take a while), so a short call timeout does not fail start-up.
  McpSession(boost::asio::io_context& ioc, std::string name, std::unique_ptr<UpstreamTransport> transport,
             std::chrono::milliseconds callTimeout);
  ~McpSession();
  McpSession(const McpSession&) = delete;
  McpSession& operator=(const McpSession&) = delete;

  // The upstream's tools (a JSON array, every page of tools/list), kept until the connection is
  // lost or the server says they changed (notifications/tools/list_changed).
  void listTools(Done done);
  // tools/call: the CallToolResult object (isError results included), or why there is none.
  void callTool(const std::string& tool, nlohmann::json arguments, Done done);
  // Fails what is in flight, ends the connection (stops the process), then `done`. Final.
  void close(std::function<void()> done);

  const std::string& name() const { return name_; }

 private:
  enum class State { Idle, Connecting, Ready, Closed };
  struct Pending {
    std::string what;  // "tools/call 'echo'", for error texts
    Done done;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  // Runs `then` once connected (connecting first if needed), or with why it could not.
  void whenReady(std::function<void(std::optional<std::string> error)> then);
  void connect();
  void connected(const nlohmann::json& result);
  void connectFailed(const std::string& error);
  void request(const std::string& method, nlohmann::json params, std::string what, std::chrono::milliseconds timeout,
               Done done);
  void notify(const std::string& method, nlohmann::json params);
  void timedOut(int64_t id, std::chrono::milliseconds timeout);
  void failAll(const std::string& error);

  void onMessage(uint64_t connection, nlohmann::json message);
  void onUndelivered(uint64_t connection, const nlohmann::json& request, std::string error);
  void onClosed(uint64_t connection, std::string why);
  void onResponse(const nlohmann::json& message);
  void answerServerRequest(const nlohmann::json& message);

  void listPage(std::optional<std::string> cursor, std::shared_ptr<nlohmann::json> tools, int page);
  void listed(std::optional<nlohmann::json> tools, std::optional<std::string> error);

  boost::asio::io_context& ioc_;
  std::string name_;
  std::unique_ptr<UpstreamTransport> transport_;
  std::chrono::milliseconds callTimeout_;
  std::chrono::milliseconds setupTimeout_;

  State state_ = State::Idle;
  uint64_t connection_ = 0;  // which connection is current; events of older ones are dropped
  int64_t nextId_ = 1;
  std::map<int64_t, Pending> pending_;
  std::vector<std::function<void(std::optional<std::string>)>> waitingForReady_;
  std::optional<nlohmann::json> tools_;
  bool listing_ = false;
  std::vector<Done> waitingForTools_;
};

}  // namespace wisp::codemode
