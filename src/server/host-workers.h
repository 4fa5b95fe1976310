// A host Worker served over HTTP: one instance per event loop (an isolate runs on one thread),
// started on first use and replaced before the next request once a limit condemned it. Used for
// the configured host (`main` in the wrangler config) and for the built-in hosts that are
// Workers themselves (the MCP server, the Cap'n Web endpoint), whose code is embedded.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "io/worker.h"
#include "server/admin-api.h"
#include "server/http-server.h"

namespace wisp::server {

class HostWorkers final : public LoaderDirectory {
 public:
  // `code` is called each time an instance starts (it may throw; the request then gets a 500).
  using CodeSource = std::function<io::WorkerCode()>;
  using Ready = std::function<void(std::shared_ptr<io::Worker>, std::optional<io::Failure>)>;

  HostWorkers(CodeSource code, io::Worker::Options options, const std::vector<boost::asio::io_context*>& loops);
  ~HostWorkers() override;

  // Hands the request to the Worker of its loop (`export default { fetch }`), bodies streamed
  // both ways. A failure to start or an uncaught exception is a plain 500 (details in the log).
  void handle(Request request, Responder responder);

  // Gives `ready` the started Worker of `loop` (one of the loops given at construction), starting
  // or replacing it first if needed. Runs on that loop.
  void withWorker(boost::asio::io_context& loop, Ready ready);

  size_t loopCount() const override { return loops_.size(); }
  void forEachLoader(std::function<void(size_t, io::WorkerLoader*)> each, boost::asio::io_context& origin,
                     std::function<void()> done) override;

 private:
  struct Loop;
  Loop* loopOf(boost::asio::io_context& ioc);
  void flush(Loop& loop, std::optional<io::Failure> failure);

  CodeSource code_;
  io::Worker::Options options_;
  std::vector<std::unique_ptr<Loop>> loops_;
};

// The client gets a plain 500 that leaks nothing; the operator gets the details in the log.
void answerInternalError(Responder& responder, const io::Failure& failure);

// One JSON line to stderr, never interleaved with another thread's.
void logLine(const std::string& line);

}  // namespace wisp::server
