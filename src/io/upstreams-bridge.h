// env.UPSTREAMS of the MCP server's Worker, runtime half: each call goes to the process-wide
// codemode::Upstreams, and its answer comes back into the invocation that asked (Worker::awaitIo),
// which counts as waiting on I/O meanwhile.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "api/mcp-upstreams.h"
#include "codemode/upstreams.h"

namespace wisp::io {

class Worker;

class UpstreamsBridge final : public api::McpUpstreamsHost {
 public:
  UpstreamsBridge(Worker& worker, boost::asio::io_context& ioc, std::shared_ptr<codemode::Upstreams> upstreams)
      : worker_(worker), ioc_(ioc), upstreams_(std::move(upstreams)) {}

  js::Value listTools(js::Lock& js) override;
  js::Value callTool(js::Lock& js, std::string server, std::string tool, std::string argumentsJson) override;

 private:
  Worker& worker_;
  boost::asio::io_context& ioc_;
  std::shared_ptr<codemode::Upstreams> upstreams_;
};

}  // namespace wisp::io
