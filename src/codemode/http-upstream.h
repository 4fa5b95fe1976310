// An upstream MCP server reached over streamable HTTP (MCP 2025-06-18, "Transports"): every
// JSON-RPC message is POSTed to the endpoint, accepting application/json and text/event-stream;
// the answer comes back as one JSON body or as an event stream (which may carry the server's own
// requests and notifications first). The Mcp-Session-Id the server gives at initialize goes with
// every later request, as does MCP-Protocol-Version; close() ends the session with a DELETE.
// Transfers run on io::HttpClient, driven by the upstream loop.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "codemode/upstream-transport.h"
#include "io/outbound/outbound-settings.h"

namespace wisp::codemode {

class HttpUpstream final : public UpstreamTransport {
 public:
  HttpUpstream(boost::asio::io_context& ioc, std::string name, std::string url,
               std::vector<std::pair<std::string, std::string>> headers, std::chrono::milliseconds timeout);
  ~HttpUpstream() override;

  void open(Handlers handlers) override;
  void send(const nlohmann::json& message) override;
  void setProtocolVersion(const std::string& version) override { protocolVersion_ = version; }
  void close(std::function<void()> done) override;

 private:
  struct Exchange;  // one POST and its answer

  void onHead(std::shared_ptr<Exchange> ex);
  void readBody(std::shared_ptr<Exchange> ex);
  void onBytes(Exchange& ex, std::string_view bytes);
  void onBodyEnd(std::shared_ptr<Exchange> ex);
  void deliver(Exchange& ex, nlohmann::json message);
  // The exchange is over; a request it carried that got no answer fails with `error`.
  void finish(std::shared_ptr<Exchange> ex, std::optional<std::string> error);
  bool current(const Exchange& ex) const;

  boost::asio::io_context& ioc_;
  std::string name_;
  std::string url_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::shared_ptr<const io::OutboundSettings> settings_;
  Handlers handlers_;
  uint64_t session_ = 0;  // which open() is current; answers of older ones are dropped
  std::optional<std::string> sessionId_;
  std::optional<std::string> protocolVersion_;
  std::map<Exchange*, std::shared_ptr<Exchange>> exchanges_;
};

}  // namespace wisp::codemode
