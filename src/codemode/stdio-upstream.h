// An upstream MCP server run as a child process (the MCP stdio transport): one JSON-RPC message
// per line on its stdin and stdout; its stderr goes on to wisp's stderr, each line prefixed with
// "[name] ". Lines on stdout that are not JSON are skipped (and reported on stderr), as the MCP
// SDKs do, and remembered for the error text of a call that then gets no answer.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "codemode/child-process.h"
#include "codemode/upstream-transport.h"

namespace wisp::codemode {

class StdioUpstream final : public UpstreamTransport {
 public:
  StdioUpstream(boost::asio::io_context& ioc, std::string name, std::vector<std::string> command,
                std::vector<std::pair<std::string, std::string>> env);
  ~StdioUpstream() override;

  void open(Handlers handlers) override;
  void send(const nlohmann::json& message) override;
  void close(std::function<void()> done) override;
  std::string hint() const override;

 private:
  struct Connection;  // one run of the process

  void readStdout(std::shared_ptr<Connection> c);
  void readStderr(std::shared_ptr<Connection> c);
  void writeNext(std::shared_ptr<Connection> c);
  void onLine(Connection& c, std::string_view line);
  // The process exited, or its stdout ended: once both have happened (or after a grace period),
  // the connection is over.
  void maybeEnd(std::shared_ptr<Connection> c);
  void end(std::shared_ptr<Connection> c);

  boost::asio::io_context& ioc_;
  std::string name_;
  std::vector<std::string> command_;
  std::vector<std::pair<std::string, std::string>> env_;
  std::shared_ptr<Connection> current_;
  std::string lastStderrLine_;
  std::string lastGarbage_;  // the last stdout line that was not a JSON-RPC message
};

}  // namespace wisp::codemode
