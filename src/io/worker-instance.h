// io::WorkerInstance: one Worker as the Worker Loader and the built-in API hold it. It is created
// and started after the current turn of the loop (never inside another Worker's entry into JS);
// requests made meanwhile wait for the start; a failed start (a top-level throw) is kept and every
// request gets it. Requests in flight hold a Use, which keeps the instance busy: a WorkerCache
// never unloads a busy instance for room or idleness.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "io/worker.h"

namespace wisp::io {

class WorkerInstance final : public std::enable_shared_from_this<WorkerInstance> {
 public:
  // The started Worker, or why it could not start (then `worker` is null).
  using Ready = std::function<void(const std::shared_ptr<Worker>& worker, const std::optional<Failure>& failure)>;

  // `tag` says what the instance was loaded from (for example a code fingerprint); its owner
  // compares it to decide whether the instance still fits a request.
  static std::shared_ptr<WorkerInstance> load(boost::asio::io_context& ioc, WorkerCode code, Worker::Options options,
                                              std::string tag = {});
  WorkerInstance(const WorkerInstance&) = delete;
  WorkerInstance& operator=(const WorkerInstance&) = delete;

  // Runs `ready` once the start is over (posted when it already is).
  void whenStarted(Ready ready);

  // Marks a request in flight until the returned handle goes; the instance stays alive for it.
  std::shared_ptr<void> use();

  bool started() const { return started_; }
  bool busy() const { return !started_ || inFlight_ > 0; }
  bool condemned() const { return worker_ && worker_->condemned(); }
  const std::string& tag() const { return tag_; }
  // The isolate's V8 heap in use plus its ArrayBuffer bytes; 0 until it has started.
  size_t memoryBytes();

  // Runs (posted) each time the instance stops being busy: its start is over and no request is in
  // flight. The cache that holds it measures it and makes room then.
  std::function<void()> onIdle;

 private:
  WorkerInstance(boost::asio::io_context& ioc, std::string tag) : ioc_(ioc), tag_(std::move(tag)) {}
  void finishStart(std::optional<Failure> failure);
  void release();
  void notifyIdle();

  boost::asio::io_context& ioc_;
  std::string tag_;
  std::shared_ptr<Worker> worker_;
  bool started_ = false;
  std::optional<Failure> failure_;
  std::vector<Ready> waiting_;
  size_t inFlight_ = 0;
};

}  // namespace wisp::io
