// Workers RPC between isolates, runtime half. Every Worker a host uses lives on the host's event
// loop, so a call is a message posted to the loop: the caller's promise is pending I/O of its
// invocation, the callee is entered at the top of the loop (never inside another entry, so a
// sandbox calling back into its host while the host awaits the sandbox cannot deadlock), and the
// answer re-enters the caller the same way.
//
//  - An RpcSession per Worker: its exports (objects JS keeps by id, src/api/js/rpc/) and the
//    references its invocations received (disposed when each invocation ends).
//  - RpcEndpointRef: what a stub holds. An export of some Worker, released when the last copy
//    of the reference goes; or an entrypoint of some Worker with props (a service stub such as
//    ctx.exports.Name({props}) put in a dynamic Worker's env).
//  - Worker::call (rpc.cc): one call delivered to a Worker, as a new invocation with its own
//    RequestContext and limits, like a fetch event.
// See docs/rpc.md.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "api/rpc.h"
#include "api/worker-loader.h"
#include "io/request-context.h"

namespace wisp::io {

class Worker;

// Entrypoint `name` ("default" or a named export), with `props` (null: none) and limits lower
// than the Worker's.
struct RpcEntrypoint {
  std::string name;
  std::shared_ptr<const api::RpcMessage> props;
  api::DynamicLimits limits;
};
// Where a call goes in the Worker that receives it: an entrypoint, or an export by id.
using RpcDestination = std::variant<RpcEntrypoint, uint64_t>;

struct RpcOutcome {
  bool ok = false;  // false: `value` is what the callee threw (or `failure` is set)
  std::shared_ptr<const api::RpcMessage> value;
  std::optional<Failure> failure;  // the callee could not run the call (a limit, not loaded)
};
using RpcAnswer = std::function<void(RpcOutcome)>;

// What one call will answer, and the calls made on it meanwhile (api::RpcPipeline). Shared by
// caller and callee (one thread): when the callee's method settles, the queued calls are sent to
// its raw result (exported for them) or get the same exception; later ones are the caller's to
// apply to the value it receives.
struct RpcPipelineState final : api::RpcPipeline {
  bool settled = false;
  struct Queued {
    api::RpcCall call;
    std::shared_ptr<RpcPipelineState> pipeline;  // the queued call's own
    RpcAnswer answer;
  };
  std::vector<Queued> queued;
  // Settles with a failure or a thrown value: every queued call gets the same outcome.
  void fail(const RpcOutcome& outcome);
};

// A reference to what `owner` makes callable. Dropping the last copy of an export's reference
// releases the export (on the loop, never inside the caller: this may run during GC).
class RpcEndpointRef final : public api::RpcRef {
 public:
  RpcEndpointRef(std::weak_ptr<Worker> owner, RpcDestination to) : owner_(std::move(owner)), to_(std::move(to)) {}
  ~RpcEndpointRef() override;
  bool isEntrypoint() const override { return std::holds_alternative<RpcEntrypoint>(to_); }
  const std::weak_ptr<Worker>& owner() const { return owner_; }
  const RpcDestination& destination() const { return to_; }

 private:
  std::weak_ptr<Worker> owner_;
  RpcDestination to_;
};

class RpcSession final : public api::RpcHost {
 public:
  RpcSession(Worker& worker, boost::asio::io_context& ioc);
  ~RpcSession() override;

  std::pair<uint64_t, std::shared_ptr<api::RpcRef>> exportObject() override;
  std::shared_ptr<api::RpcRef> entrypointRef(std::string name, std::shared_ptr<const api::RpcMessage> props) override;
  std::shared_ptr<api::RpcPipeline> newPipeline() override;
  js::Value call(js::Lock& js, std::shared_ptr<api::RpcRef> target, api::RpcCall call,
                 std::shared_ptr<api::RpcPipeline> pipeline) override;
  std::optional<js::Value> pipelineCall(js::Lock& js, std::shared_ptr<api::RpcPipeline> on, api::RpcCall call,
                                        std::shared_ptr<api::RpcPipeline> pipeline) override;
  void breakPipeline(std::shared_ptr<api::RpcPipeline> pipeline, std::shared_ptr<const api::RpcMessage> thrown) override;
  js::Value fetch(js::Lock& js, std::shared_ptr<api::RpcRef> target, HttpRequest request) override;
  void adopt(std::weak_ptr<std::shared_ptr<api::RpcRef>> slot) override;

  // The last reference to export `id` went: JS forgets the object (on the loop, batched).
  void release(uint64_t id);
  // Invocation `ctx` is over: the references it received are disposed.
  void invocationFinished(const RequestContext* ctx);

 private:
  void flushReleases();

  Worker& worker_;
  boost::asio::io_context& ioc_;
  uint64_t nextExport_ = 1;
  std::vector<uint64_t> released_;
  bool flushPosted_ = false;
  std::multimap<const RequestContext*, std::weak_ptr<std::shared_ptr<api::RpcRef>>> adopted_;
  std::shared_ptr<RpcSession*> self_;  // posted work holds a weak copy
};

// The promise result of a call for the caller: [ok, RpcPayload], or the callee's failure.
js::Value rpcAnswer(js::Lock& js, const RpcOutcome& outcome);

// A promise of the current invocation of `caller`, and the function that settles it with an
// answer: callable once, from the loop, before or after the promise's I/O has started. What
// `held` holds goes with the answer.
std::pair<js::Value, RpcAnswer> pendingAnswer(js::Lock& js, Worker& caller,
                                              std::vector<std::shared_ptr<void>> held = {});

}  // namespace wisp::io
