// What the runtime around a Worker provides to its Web APIs. io::Worker implements it; api/
// code reaches it through Host::current(js), so Web APIs never see the event loop or locks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "js/lock.h"
#include "js/value.h"

namespace wisp::io {
class BodySource;  // io/body-stream.h
}

namespace wisp::api {

class WorkerLoaderHost;  // worker-loader.h
class RpcHost;           // rpc.h
class OutboundHost;      // fetch.h
class McpUpstreamsHost;  // mcp-upstreams.h

enum class LogLevel { Debug, Log, Info, Warn, Error };
const char* logLevelName(LogLevel level);

class Host {
 public:
  virtual ~Host() = default;
  // The host of the isolate `js` runs in; throws if the isolate has none (snapshot build).
  static Host& current(js::Lock& js);

  virtual void log(LogLevel level, std::string message) = 0;
  // Starts a timer; when it fires the host calls the JS internals.fireTimer(id).
  virtual void startTimer(uint32_t id, double delayMs) = 0;
  virtual void cancelTimer(uint32_t id) = 0;
  // Keeps the current invocation alive until `promise` settles (ctx.waitUntil).
  virtual void waitUntil(js::Lock& js, js::Value promise) = 0;
  // Unix time in ms when this Worker's isolate was created (performance.timeOrigin).
  virtual double timeOrigin() const = 0;
  // The Worker Loader bindings' runtime half; null when the Worker has no such binding.
  virtual WorkerLoaderHost* workerLoader() { return nullptr; }
  // Where the global fetch() goes (the Worker's global outbound); null when it is blocked, and
  // fetch() then throws api::kOutboundBlocked.
  virtual OutboundHost* outbound() { return nullptr; }
  // Workers RPC between this Worker and others on its loop; null where there is none.
  virtual RpcHost* rpc() { return nullptr; }
  // The upstream MCP servers (env.UPSTREAMS of the MCP server's Worker); null elsewhere.
  virtual McpUpstreamsHost* mcpUpstreams() { return nullptr; }

  // Bodies streamed between C++ and JS (api/body-source.h, js/fetch/native-body.js). The next
  // bytes of native body `id` (an incoming request's body): Promise<[Uint8Array | undefined, done]>.
  virtual js::Value readBody(js::Lock& js, uint64_t id);
  // The Worker will not read native body `id` any more.
  virtual void cancelBody(uint64_t id);
  // A C++ reader of the ReadableStream that JS exported as `id`, for the current invocation.
  virtual std::shared_ptr<io::BodySource> bodyFromJs(js::Lock& js, uint64_t id, std::optional<uint64_t> length);

  // A WebSocket end JS exported in a 101 response (api/websocket-ops.h): its peer sent a message
  // (`text`: a text frame) or closed it. Unknown or closed ids are ignored.
  virtual void webSocketSend(uint64_t id, std::string data, bool text);
  virtual void webSocketClose(uint64_t id, int code, std::string reason);
};

}  // namespace wisp::api
